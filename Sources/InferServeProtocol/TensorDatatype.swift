import InferRuntime

/// The KServe v2 / Triton name of each element type the engine has (`FP32`, `INT64`, ...).
/// The protocol's other types (`FP16`, `BF16`, `UINT16`..., `BYTES`) have no engine dtype, so a
/// request naming one is refused before it is queued.
package enum TensorDatatype {
    package static func name(of dtype: DType) -> String {
        switch dtype {
        case .float32: "FP32"
        case .float64: "FP64"
        case .int64: "INT64"
        case .int32: "INT32"
        case .int8: "INT8"
        case .uint8: "UINT8"
        case .bool: "BOOL"
        }
    }

    /// The engine dtype of a protocol datatype name, nil for names it has no dtype for.
    package static func dtype(named name: String) -> DType? {
        DType.allCases.first { self.name(of: $0) == name }
    }
}
