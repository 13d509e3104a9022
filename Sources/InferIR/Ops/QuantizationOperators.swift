/// Shape inference for the quantization family (see the runtime's Lowering/QuantizationLowering.swift):
/// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, QLinearMatMul, QLinearConv,
/// MatMulInteger, ConvInteger, plus the two integer-index ops that live with them,
/// NonMaxSuppression and TfIdfVectorizer (int64/int32 pools only).
package enum QuantizationOperators {
    package static let schemas: [OperatorSchema] = [
        quantizeLinear, dequantizeLinear, dynamicQuantizeLinear, qLinearMatMul, matMulInteger,
        qLinearConv, convInteger, nonMaxSuppression, tfIdfVectorizer,
    ]

    /// The 8-bit types the quantized ops produce and consume.
    package static let quantizedDTypes: Set<DType> = [.int8, .uint8]

    /// QuantizeLinear 10 (per tensor), 13 (axis), 19 (saturate: float8 only), 21 (block_size,
    /// output_dtype), 23+ (precision). Output: y_zero_point's type, else output_dtype, else uint8.
    static let quantizeLinear = OperatorSchema("QuantizeLinear", since: 10) { ctx in
        let x = try ctx.type(0)
        try ElementwiseOperators.require(ctx, x.dtype, in: [.float32, .int32], "x")
        try ElementwiseOperators.require(ctx, try ctx.type(1).dtype, in: [.float32], "y_scale")
        let declared = ctx.opset >= 21 ? try ctx.node.int("output_dtype", default: 0) : 0
        var output: DType = .uint8
        if declared != 0 {
            guard let d = DType(onnxCode: declared) else {
                throw ctx.error(.unsupportedDType, "output_dtype \(DType.onnxTypeName(code: declared)) is not supported")
            }
            output = d
        }
        if ctx.hasInput(2) {
            let zp = try ctx.type(2).dtype
            if declared != 0, zp != output {
                throw ctx.error(.dtypeMismatch, "y_zero_point is \(zp) but output_dtype is \(output)")
            }
            output = zp
        }
        try ElementwiseOperators.require(ctx, output, in: quantizedDTypes, "the quantized output")
        return [ValueType(dtype: output, shape: x.shape)]
    }

    /// DequantizeLinear 10, 13 (axis), 19, 21 (block_size), 23+ (output_dtype): float32 out.
    static let dequantizeLinear = OperatorSchema("DequantizeLinear", since: 10) { ctx in
        let x = try ctx.type(0)
        try ElementwiseOperators.require(ctx, x.dtype, in: [.int8, .uint8, .int32], "x")
        let scale = try ctx.type(1).dtype
        try ElementwiseOperators.require(ctx, scale, in: [.float32], "x_scale")
        if ctx.hasInput(2), try ctx.type(2).dtype != x.dtype {
            throw ctx.error(.dtypeMismatch, "x_zero_point is \(try ctx.type(2).dtype) but x is \(x.dtype)")
        }
        let declared = ctx.opset >= 23 ? try ctx.node.int("output_dtype", default: 0) : 0
        if declared != 0, declared != scale.rawValue {
            throw ctx.error(.unsupportedDType, "output_dtype \(DType.onnxTypeName(code: declared)) is not supported (x_scale is \(scale))")
        }
        return [ValueType(dtype: scale, shape: x.shape)]
    }

    /// DynamicQuantizeLinear 11: float in; uint8 y, scalar float scale, scalar uint8 zero point.
    static let dynamicQuantizeLinear = OperatorSchema("DynamicQuantizeLinear", since: 11) { ctx in
        let x = try ctx.type(0)
        try ElementwiseOperators.require(ctx, x.dtype, in: [.float32], "x")
        return [ValueType(dtype: .uint8, shape: x.shape), ValueType(dtype: .float32, dims: []), ValueType(dtype: .uint8, dims: [])]
    }

    /// QLinearMatMul 10, 21 (float scales of other widths): numpy.matmul shapes, y_zero_point's type.
    static let qLinearMatMul = OperatorSchema("QLinearMatMul", since: 10) { ctx in
        let a = try ctx.type(0), b = try ctx.type(3)
        try ElementwiseOperators.require(ctx, a.dtype, in: quantizedDTypes, "a")
        try ElementwiseOperators.require(ctx, b.dtype, in: quantizedDTypes, "b")
        for i in [1, 4, 6] { try ElementwiseOperators.require(ctx, try ctx.type(i).dtype, in: [.float32], "scale input \(i)") }
        let y = ctx.hasInput(7) ? try ctx.type(7).dtype : a.dtype
        try ElementwiseOperators.require(ctx, y, in: quantizedDTypes, "y_zero_point")
        guard let sa = a.shape, let sb = b.shape else { return [ValueType(dtype: y, shape: nil)] }
        return [ValueType(dtype: y, shape: try LinearAlgebraOperators.matMulShape(sa, sb, ctx))]
    }

    /// MatMulInteger 10: int8/uint8 operands, int32 product.
    static let matMulInteger = OperatorSchema("MatMulInteger", since: 10) { ctx in
        let a = try ctx.type(0), b = try ctx.type(1)
        try ElementwiseOperators.require(ctx, a.dtype, in: quantizedDTypes, "A")
        try ElementwiseOperators.require(ctx, b.dtype, in: quantizedDTypes, "B")
        guard let sa = a.shape, let sb = b.shape else { return [ValueType(dtype: .int32, shape: nil)] }
        return [ValueType(dtype: .int32, shape: try LinearAlgebraOperators.matMulShape(sa, sb, ctx))]
    }

    /// QLinearConv 10: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B.
    static let qLinearConv = OperatorSchema("QLinearConv", since: 10) { ctx in
        let y = try ctx.type(7).dtype
        try ElementwiseOperators.require(ctx, y, in: quantizedDTypes, "y_zero_point")
        return [try resolveIntegerConv(ctx, x: 0, w: 3, bias: 8, output: y)?.outputType ?? ValueType(dtype: y, shape: nil)]
    }

    /// ConvInteger 10: x, w, x_zero_point, w_zero_point; int32 out.
    static let convInteger = OperatorSchema("ConvInteger", since: 10) { ctx in
        [try resolveIntegerConv(ctx, x: 0, w: 1, bias: nil, output: .int32)?.outputType ?? ValueType(dtype: .int32, shape: nil)]
    }

    /// Conv's `group` and window for integer inputs (X and W may differ in signedness), checked
    /// against the input shapes: the shape function's output type and the lowering's kernel call
    /// both come from here. nil when the rank of x or w is not known yet.
    package static func resolveIntegerConv(_ ctx: ShapeContext, x xi: Int, w wi: Int, bias: Int?,
                                           output: DType) throws -> ConvolutionOperators.ConvResolution? {
        let x = try ctx.type(xi), w = try ctx.type(wi)
        try ElementwiseOperators.require(ctx, x.dtype, in: quantizedDTypes, "x")
        try ElementwiseOperators.require(ctx, w.dtype, in: quantizedDTypes, "w")
        if let bias, ctx.hasInput(bias) { try ElementwiseOperators.require(ctx, try ctx.type(bias).dtype, in: [.int32], "B") }
        guard let sx = x.shape, let sw = w.shape else { return nil }
        guard sx.count >= 3, sw.count == sx.count else {
            throw ctx.error(.invalidShape, "needs x [N, C, spatial...] and w of the same rank, got x \(sx), w \(sw)")
        }
        let group = try ctx.node.int("group", default: 1)
        guard group >= 1 else { throw ctx.error(.invalidModel, "group must be >= 1, got \(group)") }
        if let c = sx[1].intValue, let wc = sw[1].intValue,
           c != (try ctx.checked.multiply(wc, group, "w's channels per group x group")) {
            throw ctx.error(.invalidShape, "x has \(c) channels but w expects \(wc) per group x \(group) groups")
        }
        if let m = sw[0].intValue, m % group != 0 {
            throw ctx.error(.invalidShape, "\(m) output channels are not divisible by group \(group)")
        }
        let kernelFromW = sw.dropFirst(2).map(\.intValue)
        let attrs = try WindowAttributes(ctx.node, ctx.opset, spatialRank: sx.count - 2)
        if let ks = attrs.kernelShape {
            for (k, wk) in zip(ks, kernelFromW) where wk != nil && wk != k {
                throw ctx.error(.invalidShape, "kernel_shape \(ks) does not match w \(sw)")
            }
        }
        let window = try attrs.resolve(input: sx.dropFirst(2).map(\.intValue), kernel: attrs.kernelShape ?? kernelFromW, ceilMode: false)
        let outputType = ValueType(dtype: output, shape: [sx[0], sw[0]] + window.output.map { $0.map(Dim.value) ?? .unknown })
        return ConvolutionOperators.ConvResolution(group: group, window: window, outputType: outputType)
    }

    /// NonMaxSuppression 10, 11: [selected, 3] int64, the count known only from the values.
    static let nonMaxSuppression = OperatorSchema("NonMaxSuppression", since: 10) { ctx in
        try ElementwiseOperators.require(ctx, try ctx.type(0).dtype, in: [.float32], "boxes")
        try ElementwiseOperators.require(ctx, try ctx.type(1).dtype, in: [.float32], "scores")
        let inputs = (0..<5).map { ctx.hasInput($0) ? ctx.value($0) : nil }
        guard let boxes = inputs[0], let scores = inputs[1],
              (2..<5).allSatisfy({ !ctx.hasInput($0) || inputs[$0] != nil }) else {
            return [ValueType(dtype: .int64, shape: [.unknown, .value(3)])]
        }
        let selection = try NonMaxSuppressionSelection(
            boxes: boxes, scores: scores, maxOutputBoxesPerClass: inputs[2], iouThreshold: inputs[3],
            scoreThreshold: inputs[4], centerPointBox: try centerPointBox(ctx), ctx)
        return [ValueType(dtype: .int64, dims: [selection.selected.count / 3, 3])]
    }

    /// NonMaxSuppression's `center_point_box` (default 0): boxes as [x_center, y_center, width, height]
    /// instead of corner pairs.
    package static func centerPointBox(_ ctx: ShapeContext) throws -> Bool {
        try ctx.node.int("center_point_box", default: 0) != 0
    }

    /// TfIdfVectorizer 9: X [C] or [N, C] of int32/int64 → float [max(ngram_indexes) + 1] or [N, that].
    static let tfIdfVectorizer = OperatorSchema("TfIdfVectorizer", since: 9) { ctx in
        let x = try ctx.type(0)
        try ElementwiseOperators.require(ctx, x.dtype, in: [.int32, .int64], "X")
        let config = try TfIdfConfiguration(ctx.node, ctx)
        guard let shape = x.shape else { return [ValueType(dtype: .float32, shape: nil)] }
        switch shape.count {
        case 0, 1: return [ValueType(dtype: .float32, dims: [config.outputSize])]
        case 2: return [ValueType(dtype: .float32, shape: [shape[0], .value(config.outputSize)])]
        default: throw ctx.error(.invalidShape, "X must be [C] or [N, C], got \(shape)")
        }
    }
}
