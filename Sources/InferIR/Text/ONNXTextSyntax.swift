/// Vocabulary of the ONNX textual syntax shared by the parser and the printer.
enum ONNXTextSyntax {
    /// Every element-type name the ONNX grammar knows (supported or not), so the parser can tell
    /// "a type we do not support" from "not a type".
    static let onnxElementTypeNames: Set<String> = [
        "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16",
        "double", "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn",
        "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1", "float8e8m0",
    ]

    /// Type constructors of non-tensor types (`seq(float)`, `map(int64, float)`, ...).
    static let compositeTypeKeywords: Set<String> = ["seq", "map", "optional", "sparse_tensor"]

    static func isTypeStart(_ word: String) -> Bool {
        onnxElementTypeNames.contains(word) || compositeTypeKeywords.contains(word)
    }

    /// `nan`, `inf`, `infinity` in any case: float literals that look like identifiers.
    static func isSpecialFloatWord(_ word: String) -> Bool {
        ["nan", "inf", "infinity"].contains(word.lowercased())
    }

    static let attributeKinds: [String: AttributeKind] = [
        "float": .float, "int": .int, "string": .string, "tensor": .tensor, "graph": .graph,
        "floats": .floats, "ints": .ints, "strings": .strings, "tensors": .tensors, "graphs": .graphs,
        "type_proto": .type, "type_protos": .types, "sparse_tensor": .sparseTensor, "sparse_tensors": .sparseTensors,
    ]

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, ONNXTextLexer.isIdentifierStart(first) else { return false }
        return name.utf8.allSatisfy(ONNXTextLexer.isIdentifierContinuation)
    }

    /// A name as the grammar accepts it where quoting is allowed: bare when it is an identifier.
    static func quotableName(_ name: String) -> String {
        isIdentifier(name) ? name : quoted(name)
    }

    /// A string literal: only `"` and `\` are escaped (ONNX has no other escapes; newlines stay raw).
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        out.append("\"")
        return out
    }

    /// Shortest text that parses back to the same Float (Swift's `description` is shortest
    /// round-trip); NaN prints as `nan`/`-nan` (payloads cannot be written in this syntax).
    static func format(_ value: Float) -> String {
        if value.isNaN { return value.sign == .minus ? "-nan" : "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return value.description
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return value.sign == .minus ? "-nan" : "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return value.description
    }
}

/// Attribute kinds as written in `name: kind = value` annotations.
enum AttributeKind: Equatable {
    case float, int, string, tensor, graph, floats, ints, strings, tensors, graphs, type, types
    case sparseTensor, sparseTensors

    var isList: Bool {
        switch self {
        case .floats, .ints, .strings, .tensors, .graphs, .types, .sparseTensors: true
        default: false
        }
    }

    /// The kind of one element of a list kind (itself for singleton kinds).
    var elementKind: AttributeKind {
        switch self {
        case .floats: .float
        case .ints: .int
        case .strings: .string
        case .tensors: .tensor
        case .graphs: .graph
        case .types: .type
        case .sparseTensors: .sparseTensor
        default: self
        }
    }

    var name: String {
        ONNXTextSyntax.attributeKinds.first { $0.value == self }?.key ?? "?"
    }
}
