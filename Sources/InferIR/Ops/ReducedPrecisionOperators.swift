/// Shape inference for the reduced-precision GEMM of the project's own domain (`swiftinfer`):
///
/// `BF16MatMul(A, W, bias?, R?)`: Y = round_bf16(A) x W with fp32 sums, then the FusedLinear
/// epilogue (bias per column, activation, residual; the same attributes as FusedMatMul).
/// A is float `[..., K]`; W holds a `[K, N]` bfloat16 matrix as uint8 `[K, N, 2]` (each value's
/// two bytes, little-endian), made from a float weight when the plan is compiled with
/// `Precision.bf16`; Y is float `[..., N]` (`[N]` for a 1-D A, as numpy.matmul).
package enum ReducedPrecisionOperators {
    package static let domain = FusedLinearOperators.domain

    package static let schemas: [OperatorSchema] = [bf16MatMul]

    static let bf16MatMul = OperatorSchema("BF16MatMul", domain: domain, since: 1) { ctx in
        _ = try FusedActivation(ctx.node)
        let a = try ctx.type(0), w = try ctx.type(1)
        guard a.dtype == .float32 else { throw ctx.error(.unsupportedDType, "A must be float, got \(a.dtype)") }
        guard w.dtype == .uint8 else { throw ctx.error(.unsupportedDType, "W must be uint8 [K, N, 2] (bfloat16 bytes), got \(w.dtype)") }
        guard let sw = w.shape else { return [ValueType(dtype: .float32, shape: nil)] }
        guard sw.count == 3, sw[2] == .value(2) else { throw ctx.error(.invalidShape, "W must be [K, N, 2], got \(sw)") }
        guard let sa = a.shape else { return [ValueType(dtype: .float32, shape: nil)] }
        guard let k = sa.last else { throw ctx.error(.invalidShape, "A must have rank >= 1") }
        if let ka = k.intValue, let kw = sw[0].intValue, ka != kw {
            throw ctx.error(.invalidShape, "A has \(ka) columns but W has \(kw) rows")
        }
        let out = ValueType(dtype: .float32, shape: sa.dropLast() + [sw[1]])
        if ctx.hasInput(2), ctx.inputTypes.count > 2, let bias = ctx.inputTypes[2] {
            guard bias.dtype == .float32 else { throw ctx.error(.dtypeMismatch, "bias must be float, got \(bias.dtype)") }
            if let sb = bias.shape {
                let n = sw[1].intValue, bn = sb.last?.intValue
                guard sb.dropLast().allSatisfy({ $0 == .value(1) }), bn == nil || bn == 1 || n == nil || bn == n else {
                    throw ctx.error(.invalidShape, "bias \(sb) must be [N] (N = \(sw[1]))")
                }
            }
        }
        try FusedLinearOperators.checkResidual(ctx, output: out)
        return [out]
    }
}
