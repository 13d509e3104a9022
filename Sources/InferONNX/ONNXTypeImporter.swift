import InferIR

/// `TypeProto` -> `ValueType`: tensor types only; dims map to `.value`, `.symbol` or `.unknown`.
enum ONNXTypeImporter {
    /// nil when the type carries no element type (absent, or `elem_type` unset/UNDEFINED).
    static func valueType(_ proto: Onnx_TypeProto, hasType: Bool, label: String) throws -> ValueType? {
        guard hasType, let value = proto.value else { return nil }
        guard case .tensorType(let tensorType) = value else {
            throw InferError(.unsupportedFeature, "\(label) has a \(kindName(value)) type; only tensor types are supported")
        }
        let code = Int(tensorType.elemType)
        guard code != 0 else { return nil }
        guard let dtype = DType(onnxCode: code) else {
            throw InferError(.unsupportedDType, "\(label) has element type \(DType.onnxTypeName(code: code)), which is not supported")
        }
        guard tensorType.hasShape else { return ValueType(dtype: dtype, shape: nil) }
        let shape = try tensorType.shape.dim.map { dim -> Dim in
            switch dim.value {
            case .dimValue(let v)?:
                guard v >= 0 else { throw InferError(.invalidShape, "\(label) has a negative dimension \(v)") }
                return .value(Int(v))
            case .dimParam(let s)?: return s.isEmpty ? .unknown : .symbol(s)
            case nil: return .unknown
            }
        }
        return ValueType(dtype: dtype, shape: shape)
    }

    private static func kindName(_ value: Onnx_TypeProto.OneOf_Value) -> String {
        switch value {
        case .tensorType: "tensor"
        case .sequenceType: "sequence"
        case .mapType: "map"
        case .optionalType: "optional"
        case .sparseTensorType: "sparse tensor"
        case .opaqueType: "opaque"
        }
    }
}
