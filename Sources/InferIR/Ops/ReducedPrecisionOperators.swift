/// Shape inference for the reduced-precision GEMMs of the project's own domain (`swiftinfer`),
/// both followed by the FusedLinear epilogue (bias per column, activation, residual; the same
/// attributes as FusedMatMul). A is float `[..., K]`; Y is float `[..., N]` (`[N]` for a 1-D A,
/// as numpy.matmul).
///
/// `BF16MatMul(A, W, bias?, R?)`: Y = round_bf16(A) x W with fp32 sums. W holds a `[K, N]`
/// bfloat16 matrix as uint8 `[K, N, 2]` (each value's two bytes, little-endian), made from a
/// float weight when the plan is compiled with `Precision.bf16`.
///
/// `Int8MatMul(A, W, bias?, R?, W_scale)`: Y = dequantize(quantize(A) x W): A quantized to uint8
/// on each run, W an int8 `[K, N]` matrix with the float scale of each column in `W_scale [N]`,
/// sums in int32. Attribute `activation_quantization`: "row" (default; each row its own scale,
/// made from a float weight when compiling with `Precision.int8`) or "tensor" (ONNX
/// DynamicQuantizeLinear's one scale for all of A: a fused ONNX Runtime quantize_dynamic chain).
///
/// `Int8Conv(X, W, B?, W_scale, X_scale, X_zero_point)`: Y = Conv(DequantizeLinear(X), W *
/// W_scale) + B with Conv's attributes (group 1): X uint8 `[N, C, spatial...]` with the one
/// scale `X_scale` (float) and zero point `X_zero_point` (uint8) fixed in the plan, W an int8
/// Conv weight `[M, C, k...]` with one float scale per output channel in `W_scale [M]`
/// (symmetric), B a float `[M]`, sums in int32; Y float. What a QDQ model's
/// `DequantizeLinear -> Conv` on int8 weights becomes (`fuse-quantized-conv`). With the optional
/// `Y_scale` (input 6, one float) and `Y_zero_point` (input 7, one uint8 or int8), Y is
/// `QuantizeLinear(Conv(...), Y_scale, Y_zero_point)` instead: the QDQ model's next
/// QuantizeLinear fused, Y of Y_zero_point's type (uint8 without it).
///
/// `QuantizedAdd(A, A_scale, A_zero_point, B, B_scale, B_zero_point, Y_scale, Y_zero_point)`:
/// Y = QuantizeLinear(DequantizeLinear(A) + DequantizeLinear(B)), every scale one float and
/// every zero point one value of A's type; A, B and Y one shape and one 8-bit type. What a QDQ
/// model's residual `DequantizeLinear, DequantizeLinear -> Add -> QuantizeLinear` becomes
/// (`fuse-quantized-add`).
///
/// `QuantizedDepthwiseConv(X, W, B?, X_scale, X_zero_point, Y_scale, Y_zero_point)` + Conv's
/// attributes: Y = QuantizeLinear(Conv(DequantizeLinear(X), W, B)) for a depthwise 3x3 window
/// (group = channels, W float `[C, 1, 3, 3]`: the model's dequantized weights), X uint8 and Y
/// uint8 or int8 (Y_zero_point's type), each with one scale and zero point. What a QDQ model's
/// depthwise `DequantizeLinear -> Conv -> QuantizeLinear` becomes (`fuse-quantized-conv`).
package enum ReducedPrecisionOperators {
    package static let domain = FusedLinearOperators.domain

    package static let schemas: [OperatorSchema] = [bf16MatMul, int8MatMul, int8Conv, quantizedAdd, quantizedDepthwiseConv]

    static let bf16MatMul = OperatorSchema("BF16MatMul", domain: domain, since: 1) { ctx in
        let w = try ctx.type(1)
        guard w.dtype == .uint8 else { throw ctx.error(.unsupportedDType, "W must be uint8 [K, N, 2] (bfloat16 bytes), got \(w.dtype)") }
        guard let sw = w.shape else { return [ValueType(dtype: .float32, shape: nil)] }
        guard sw.count == 3, sw[2] == .value(2) else { throw ctx.error(.invalidShape, "W must be [K, N, 2], got \(sw)") }
        return [try outputType(ctx, k: sw[0], n: sw[1])]
    }

    /// Values of Int8MatMul's `activation_quantization`.
    package static let activationQuantizations = ["row", "tensor"]

    static let int8MatMul = OperatorSchema("Int8MatMul", domain: domain, since: 1) { ctx in
        let mode = try ctx.node.string("activation_quantization", default: "row")
        guard activationQuantizations.contains(mode) else {
            throw ctx.error(.invalidModel, "activation_quantization must be \"row\" or \"tensor\", got \"\(mode)\"")
        }
        let w = try ctx.type(1)
        guard w.dtype == .int8 else { throw ctx.error(.unsupportedDType, "W must be int8 [K, N], got \(w.dtype)") }
        guard ctx.hasInput(4), let scale = ctx.inputTypes.count > 4 ? ctx.inputTypes[4] : nil else {
            throw ctx.error(.missingInput, "Int8MatMul needs W_scale (input 4)")
        }
        guard scale.dtype == .float32 else { throw ctx.error(.unsupportedDType, "W_scale must be float, got \(scale.dtype)") }
        guard let sw = w.shape else { return [ValueType(dtype: .float32, shape: nil)] }
        guard sw.count == 2 else { throw ctx.error(.invalidShape, "W must be [K, N], got \(sw)") }
        if let ss = scale.shape, ss.count != 1 || (ss[0].intValue != nil && sw[1].intValue != nil && ss[0] != sw[1]) {
            throw ctx.error(.invalidShape, "W_scale \(ss) must be [N] (N = \(sw[1]))")
        }
        return [try outputType(ctx, k: sw[0], n: sw[1])]
    }

    static let int8Conv = OperatorSchema("Int8Conv", domain: domain, since: 1) { ctx in
        let x = try ctx.type(0), w = try ctx.type(1)
        guard x.dtype == .uint8, w.dtype == .int8 else {
            throw ctx.error(.unsupportedDType, "Int8Conv needs X uint8 and W int8, got X \(x.dtype), W \(w.dtype)")
        }
        for (index, name, dtype) in [(3, "W_scale", DType.float32), (4, "X_scale", .float32), (5, "X_zero_point", .uint8)] {
            guard ctx.hasInput(index), let t = ctx.inputTypes.count > index ? ctx.inputTypes[index] : nil else {
                throw ctx.error(.missingInput, "Int8Conv needs \(name) (input \(index))")
            }
            guard t.dtype == dtype else { throw ctx.error(.unsupportedDType, "\(name) must be \(dtype), got \(t.dtype)") }
        }
        if ctx.hasInput(2), let bias = ctx.inputTypes.count > 2 ? ctx.inputTypes[2] : nil {
            guard bias.dtype == .float32 else { throw ctx.error(.unsupportedDType, "B must be float, got \(bias.dtype)") }
            if let sb = bias.shape, let sw = w.shape, sb.count != 1 || (sb[0].intValue != nil && sw.first?.intValue != nil && sb[0] != sw[0]) {
                throw ctx.error(.invalidShape, "B \(sb) must be [M] (W is \(sw))")
            }
        }
        let output = try int8ConvOutputType(ctx)
        guard let resolved = try QuantizationOperators.resolveIntegerConv(ctx, x: 0, w: 1, bias: nil, output: output) else {
            return [ValueType(dtype: output, shape: nil)]
        }
        guard resolved.group == 1 else { throw ctx.error(.unsupportedFeature, "Int8Conv has group 1 only, got \(resolved.group)") }
        return [resolved.outputType]
    }

    static let quantizedAdd = OperatorSchema("QuantizedAdd", domain: domain, since: 1) { ctx in
        let a = try ctx.type(0), b = try ctx.type(3)
        guard a.dtype == .uint8 || a.dtype == .int8, b.dtype == a.dtype else {
            throw ctx.error(.unsupportedDType, "QuantizedAdd needs A and B of one 8-bit type, got \(a.dtype) and \(b.dtype)")
        }
        for (index, name) in [(1, "A_scale"), (2, "A_zero_point"), (4, "B_scale"), (5, "B_zero_point"), (6, "Y_scale"), (7, "Y_zero_point")] {
            guard ctx.hasInput(index), let t = ctx.inputTypes.count > index ? ctx.inputTypes[index] : nil else {
                throw ctx.error(.missingInput, "QuantizedAdd needs \(name) (input \(index))")
            }
            let want: DType = name.hasSuffix("scale") ? .float32 : a.dtype
            guard t.dtype == want else { throw ctx.error(.unsupportedDType, "\(name) must be \(want), got \(t.dtype)") }
        }
        if let sa = a.shape, let sb = b.shape, sa.count != sb.count || zip(sa, sb).contains(where: { $0.intValue != nil && $1.intValue != nil && $0 != $1 }) {
            throw ctx.error(.invalidShape, "QuantizedAdd needs A and B of one shape (no broadcasting), got \(sa) and \(sb)")
        }
        return [ValueType(dtype: a.dtype, shape: a.shape ?? b.shape)]
    }

    static let quantizedDepthwiseConv = OperatorSchema("QuantizedDepthwiseConv", domain: domain, since: 1) { ctx in
        let x = try ctx.type(0), w = try ctx.type(1)
        guard x.dtype == .uint8, w.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "QuantizedDepthwiseConv needs X uint8 and W float, got X \(x.dtype), W \(w.dtype)")
        }
        var yType = DType.uint8
        for (index, name) in [(3, "X_scale"), (4, "X_zero_point"), (5, "Y_scale"), (6, "Y_zero_point")] {
            guard ctx.hasInput(index), let t = ctx.inputTypes.count > index ? ctx.inputTypes[index] : nil else {
                throw ctx.error(.missingInput, "QuantizedDepthwiseConv needs \(name) (input \(index))")
            }
            let allowed: [DType] = name.hasSuffix("scale") ? [.float32] : index == 4 ? [.uint8] : [.uint8, .int8]
            guard allowed.contains(t.dtype) else { throw ctx.error(.unsupportedDType, "\(name) must be \(allowed[0]), got \(t.dtype)") }
            if index == 6 { yType = t.dtype }
        }
        // Conv's own shape rules, on X as the float tensor it stands for.
        let asFloat = ShapeContext(node: ctx.node, opset: ctx.opset,
                                   inputTypes: [ValueType(dtype: .float32, shape: x.shape)] + ctx.inputTypes.dropFirst(),
                                   inputValues: ctx.inputValues)
        guard let resolved = try ConvolutionOperators.resolveConv(asFloat) else { return [ValueType(dtype: yType, shape: nil)] }
        if let sw = w.shape, let c = x.shape?[1].intValue, resolved.group != c || sw[0].intValue != c || sw[1].intValue != 1 {
            throw ctx.error(.unsupportedFeature, "QuantizedDepthwiseConv is depthwise (group = channels = \(c), W [C, 1, k...]), got group \(resolved.group), W \(sw)")
        }
        return [ValueType(dtype: yType, shape: resolved.outputType.shape)]
    }

    /// Int8Conv's Y dtype: float, or with `Y_scale` the quantized type of `Y_zero_point` (uint8 without one).
    package static func int8ConvOutputType(_ ctx: ShapeContext) throws -> DType {
        guard ctx.hasInput(6), let scale = ctx.inputTypes.count > 6 ? ctx.inputTypes[6] : nil else {
            if ctx.hasInput(7) { throw ctx.error(.missingInput, "Int8Conv has Y_zero_point but no Y_scale (input 6)") }
            return .float32
        }
        guard scale.dtype == .float32 else { throw ctx.error(.unsupportedDType, "Y_scale must be float, got \(scale.dtype)") }
        guard ctx.hasInput(7), let zero = ctx.inputTypes.count > 7 ? ctx.inputTypes[7] : nil else { return .uint8 }
        guard zero.dtype == .uint8 || zero.dtype == .int8 else {
            throw ctx.error(.unsupportedDType, "Y_zero_point must be uint8 or int8, got \(zero.dtype)")
        }
        return zero.dtype
    }

    /// Y's type for A `[..., K]` times a `[K, N]` weight, after checking A, the bias and the residual.
    private static func outputType(_ ctx: ShapeContext, k kw: Dim, n: Dim) throws -> ValueType {
        _ = try FusedActivation(ctx.node)
        let a = try ctx.type(0)
        guard a.dtype == .float32 else { throw ctx.error(.unsupportedDType, "A must be float, got \(a.dtype)") }
        guard let sa = a.shape else { return ValueType(dtype: .float32, shape: nil) }
        guard let ka = sa.last else { throw ctx.error(.invalidShape, "A must have rank >= 1") }
        if let ka = ka.intValue, let kw = kw.intValue, ka != kw {
            throw ctx.error(.invalidShape, "A has \(ka) columns but W has \(kw) rows")
        }
        let out = ValueType(dtype: .float32, shape: sa.dropLast() + [n])
        if ctx.hasInput(2), ctx.inputTypes.count > 2, let bias = ctx.inputTypes[2] {
            guard bias.dtype == .float32 else { throw ctx.error(.dtypeMismatch, "bias must be float, got \(bias.dtype)") }
            if let sb = bias.shape {
                let nv = n.intValue, bn = sb.last?.intValue
                guard sb.dropLast().allSatisfy({ $0 == .value(1) }), bn == nil || bn == 1 || nv == nil || bn == nv else {
                    throw ctx.error(.invalidShape, "bias \(sb) must be [N] (N = \(n))")
                }
            }
        }
        try FusedLinearOperators.checkResidual(ctx, output: out)
        return out
    }
}
