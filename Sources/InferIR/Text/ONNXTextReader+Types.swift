/// A type as written (`float[N,3]`), before it is checked against the supported element types:
/// the check waits until the value's name is known so the error can name it.
struct ParsedValueType {
    var elementName: String
    var dtype: DType?
    var shape: [Dim]?
    var token: ONNXTextToken
}

extension ONNXTextReader {
    /// `float` (rank 0), `float[]` (unknown rank), `float[N,3,?]`.
    mutating func valueType() throws -> ParsedValueType {
        let token = current
        let name = try identifier("a type")
        if ONNXTextSyntax.compositeTypeKeywords.contains(name) {
            throw error(at: token, "\(name)(...) types are not supported: only tensor types are", kind: .unsupportedFeature)
        }
        guard ONNXTextSyntax.onnxElementTypeNames.contains(name) else {
            throw error(at: token, "expected a type, found '\(name.prefix(40))'")
        }
        var shape: [Dim]? = []
        if try accept("[") {
            if try accept("]") {
                shape = nil
            } else {
                var dims: [Dim] = []
                repeat {
                    if try accept("?") {
                        dims.append(.unknown)
                    } else if let symbol = currentIdentifier {
                        try advance()
                        dims.append(.symbol(symbol))
                    } else {
                        dims.append(.value(try integerLiteral("a dimension (integer, name or '?')")))
                    }
                } while try accept(",")
                try expect("]", "',' or ']'")
                shape = dims
            }
        }
        return ParsedValueType(elementName: name, dtype: DType(onnxName: name), shape: shape, token: token)
    }

    /// Checks the element type is one the engine supports.
    func resolve(_ type: ParsedValueType, of what: String) throws -> ValueType {
        guard let dtype = type.dtype else {
            let supported = DType.allCases.map(\.onnxName).joined(separator: ", ")
            throw error(at: type.token, "\(what) has element type \(type.elementName), which is not supported (supported: \(supported))",
                        kind: .unsupportedDType)
        }
        return ValueType(dtype: dtype, shape: type.shape)
    }

    /// `name` or `type name`; nil type when untyped (allowed by ONNX in some places).
    mutating func valueInfo(_ what: String) throws -> (name: String, type: ParsedValueType?, token: ONNXTextToken) {
        var type: ParsedValueType?
        if let word = currentIdentifier, ONNXTextSyntax.isTypeStart(word) {
            type = try valueType()
        }
        let token = current
        let name = try quotableName("the name of \(what)")
        return (name, type, token)
    }

    /// Tensor data after its type: `{v1, v2, ...}`. The count must match the (numeric) shape.
    mutating func tensorValues(type parsed: ParsedValueType, name: String) throws -> Tensor {
        let label = name.isEmpty ? "tensor" : "tensor '\(name)'"
        let type = try resolve(parsed, of: label)
        guard let dims = type.staticDims else {
            throw error(at: parsed.token, "\(label) needs a shape of numeric dimensions, found \(type)")
        }
        guard let count = elementCount(dims), count.multipliedReportingOverflow(by: type.dtype.byteSize).overflow == false else {
            throw error(at: parsed.token, "\(label) has an invalid shape \(dims)", kind: .invalidShape)
        }
        let open = current
        if at("[") {
            throw error(at: open, "\(label) refers to external data, which the text format does not support here",
                        kind: .unsupportedFeature)
        }
        guard try accept("{") else {
            if count == 0 { return Tensor(zeros: type.dtype, shape: dims) }
            throw error(expected: "'{' and the values of \(label)")
        }
        let tensor: Tensor
        switch type.dtype {
        case .float32: tensor = try values(dims, count, label, open) { try $0.floatLiteral() }
        case .float64: tensor = try values(dims, count, label, open) { try $0.doubleLiteral() }
        case .int64: tensor = try values(dims, count, label, open) { Int64(try $0.integerLiteral()) }
        case .int32: tensor = try values(dims, count, label, open) { try $0.boundedInteger(Int32.self, label) }
        case .int8: tensor = try values(dims, count, label, open) { try $0.boundedInteger(Int8.self, label) }
        case .uint8: tensor = try values(dims, count, label, open) { try $0.boundedInteger(UInt8.self, label) }
        case .bool: tensor = try values(dims, count, label, open) { try $0.boundedInteger(Int32.self, label) != 0 }
        }
        return tensor
    }

    private mutating func values<T: TensorScalar>(_ dims: [Int], _ count: Int, _ label: String, _ open: ONNXTextToken,
                                                  _ element: (inout ONNXTextReader) throws -> T) throws -> Tensor {
        var scalars: [T] = []
        scalars.reserveCapacity(min(count, 1 << 20))
        if !at("}") {
            repeat {
                scalars.append(try element(&self))
            } while try accept(",")
        }
        try expect("}", "',' or '}'")
        guard scalars.count == count else {
            throw error(at: open, "\(label) of shape \(dims) needs \(count) values, found \(scalars.count)")
        }
        return try Tensor(shape: dims, scalars: scalars)
    }

    mutating func boundedInteger<T: FixedWidthInteger>(_: T.Type, _ label: String) throws -> T {
        let token = current
        let value = try integerLiteral()
        guard let narrow = T(exactly: value) else {
            throw error(at: token, "value \(value) of \(label) is out of range for \(T.self)")
        }
        return narrow
    }
}
