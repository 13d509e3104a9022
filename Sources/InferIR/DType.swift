/// Element types the engine supports. Raw values are ONNX `TensorProto.DataType` codes,
/// so import/export and the text format map to them without a table.
public enum DType: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// ONNX `float`; Swift `Float`.
    case float32 = 1
    /// ONNX `uint8`; Swift `UInt8`.
    case uint8 = 2
    /// ONNX `int8`; Swift `Int8`.
    case int8 = 3
    /// ONNX `int32`; Swift `Int32`.
    case int32 = 6
    /// ONNX `int64`; Swift `Int64`.
    case int64 = 7
    /// ONNX `bool`, one byte per element; Swift `Bool`.
    case bool = 9
    /// ONNX `double`; Swift `Double`.
    case float64 = 11

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .int32, .float32: 4
        case .int64, .float64: 8
        }
    }

    /// The ONNX text-format spelling (`float`, `int64`, ...).
    public var onnxName: String {
        switch self {
        case .float32: "float"
        case .float64: "double"
        case .int64: "int64"
        case .int32: "int32"
        case .int8: "int8"
        case .uint8: "uint8"
        case .bool: "bool"
        }
    }

    /// The ONNX name: `float`, `int64`, ...
    public var description: String { onnxName }

    /// `float32` or `float64`.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
    /// One of the integer types (not `bool`).
    public var isInteger: Bool { self == .int64 || self == .int32 || self == .int8 || self == .uint8 }

    /// Parses an ONNX text-format type name.
    public init?(onnxName: String) {
        guard let match = DType.allCases.first(where: { $0.onnxName == onnxName }) else { return nil }
        self = match
    }

    /// Maps an ONNX data-type code; nil for types the engine does not support (float16, string, ...).
    package init?(onnxCode: Int) { self.init(rawValue: onnxCode) }

    /// Every ONNX data-type code with its `TensorProto.DataType` name, lowercased.
    private static let onnxTypeNames = [
        0: "undefined", 1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32",
        7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "double", 12: "uint32",
        13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16", 17: "float8e4m3fn",
        18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz", 21: "uint4", 22: "int4",
        23: "float4e2m1"]

    /// Human-readable name of any ONNX data-type code, for error messages about unsupported types.
    package static func onnxTypeName(code: Int) -> String {
        onnxTypeNames[code] ?? "type code \(code)"
    }

    /// The code of a `TensorProto.DataType` name in any case ("FLOAT", "int64"), as Cast-1 gives
    /// its target type; nil when ONNX has no such type.
    package static func onnxCode(named name: String) -> Int? {
        let lowered = name.lowercased()
        return onnxTypeNames.first { $0.value == lowered && $0.key != 0 }?.key
    }
}
