/// Element types as the kernels see them (InferKernels does not know `DType`). Booleans are
/// one byte, 0 or 1, read as "non-zero is true".
package enum ElementKind: Sendable, CaseIterable {
    case float32, float64, int64, int32, int8, uint8, bool

    package var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .int8, .uint8, .bool: 1
        }
    }
}
