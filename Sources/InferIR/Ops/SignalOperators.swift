/// Shape inference for the window generators HannWindow, HammingWindow, BlackmanWindow (opset 17;
/// see the runtime's Lowering/SignalLowering.swift): a scalar `size` in, `[size]` of `output_datatype` out.
package enum SignalOperators {
    package static let schemas: [OperatorSchema] = ["HannWindow", "HammingWindow", "BlackmanWindow"].map { name in
        OperatorSchema(name, since: 17) { ctx in
            try ElementwiseOperators.require(ctx, try ctx.type(0).dtype, in: [.int32, .int64], "size")
            let code = try ctx.node.int("output_datatype", default: 1)
            guard let dtype = DType(onnxCode: code) else {
                throw ctx.error(.unsupportedDType, "output_datatype \(DType.onnxTypeName(code: code)) is not supported")
            }
            guard let size = ctx.value(0) else { return [ValueType(dtype: dtype, shape: [.unknown])] }
            guard size.count == 1, let n = size.intValues().first, n >= 0 else {
                throw ctx.error(.invalidShape, "size must be one non-negative integer")
            }
            return [ValueType(dtype: dtype, dims: [n])]
        }
    }
}
