/// Shape inference for the project's own fused ops (domain `swiftinfer`) of the FusedTransformer family.
///
/// - `Attention(Q, K, V [, mask])`: `MatMul(Softmax(mask(MatMul(Q, Kᵀ) * scale)), V)` with ONNX
///   MatMul/broadcasting semantics over the leading (batch, head) dims. `k_transposed = 1` means K is
///   given as `[..., D, Sk]` (already Kᵀ), else `[..., Sk, D]`. `mask_kind`: "none", "add" (scores +
///   mask, mask broadcast to the scores) or "where" (scores where mask is true, else `mask_fill`).
/// - `RMSNormalization(X [, scale])`: `X / sqrt(mean(X², last axis) + epsilon) * scale`.
/// - `Gelu(X)`: as ONNX Gelu (opset 20), `approximate` = "none" | "tanh".
/// - `FusedElementwise(inputs...)`: a postfix `program` over the inputs (broadcast to one output
///   shape) and the `constants` floats; see `FusedElementwiseProgram` for the tokens.
public enum FusedTransformerOperators {
    public static let domain = "swiftinfer"

    public static let schemas: [OperatorSchema] = [attention, rmsNormalization, gelu, fusedElementwise]

    static let floats: Set<DType> = [.float32, .float64]

    static let attention = OperatorSchema("Attention", domain: domain, since: 1) { ctx in
        let q = try ctx.type(0), k = try ctx.type(1), v = try ctx.type(2)
        guard q.dtype == .float32, k.dtype == q.dtype, v.dtype == q.dtype else {
            throw ctx.error(.unsupportedDType, "Q, K, V must be float32, got \(q.dtype), \(k.dtype), \(v.dtype)")
        }
        let kind = try ctx.node.string("mask_kind", default: "none")
        guard ["none", "add", "where"].contains(kind) else {
            throw ctx.error(.invalidModel, "mask_kind must be none, add or where, not \"\(kind)\"")
        }
        var mask: ValueType?
        if kind != "none" {
            let m = try ctx.type(3)
            guard m.dtype == (kind == "add" ? q.dtype : .bool) else {
                throw ctx.error(.dtypeMismatch, "a \(kind) mask must be \(kind == "add" ? q.dtype : .bool), got \(m.dtype)")
            }
            mask = m
        }
        guard let qs = q.shape, let ks = k.shape, let vs = v.shape, mask == nil || mask?.shape != nil else {
            return [ValueType(dtype: q.dtype, shape: nil)]
        }
        guard qs.count >= 2, ks.count >= 2, vs.count >= 2 else {
            throw ctx.error(.invalidShape, "Q, K and V need rank >= 2, got \(q), \(k), \(v)")
        }
        let kTransposed = try ctx.node.int("k_transposed", default: 0) != 0
        let sq = qs[qs.count - 2], depth = qs[qs.count - 1]
        let sk = kTransposed ? ks[ks.count - 1] : ks[ks.count - 2]
        let kDepth = kTransposed ? ks[ks.count - 2] : ks[ks.count - 1]
        if let a = depth.intValue, let b = kDepth.intValue, a != b {
            throw ctx.error(.invalidShape, "Q's last dim \(a) differs from K's depth \(b)")
        }
        // Scores [batch..., Sq, Sk], then broadcast with the mask.
        guard var scores = Broadcasting.shape(Array(qs.dropLast(2)), Array(ks.dropLast(2))) else {
            throw ctx.error(.invalidShape, "Q \(q) and K \(k) batch dims do not broadcast")
        }
        scores += [sq, sk]
        if let m = mask?.shape {
            guard let b = Broadcasting.shape(scores, m) else {
                throw ctx.error(.invalidShape, "mask \(mask!) does not broadcast to the scores \(scores)")
            }
            scores = b
        }
        let rows = scores[scores.count - 2], cols = scores[scores.count - 1]
        if let a = cols.intValue, let b = vs[vs.count - 2].intValue, a != b {
            throw ctx.error(.invalidShape, "scores have \(a) columns but V has \(b) rows")
        }
        guard let batch = Broadcasting.shape(Array(scores.dropLast(2)), Array(vs.dropLast(2))) else {
            throw ctx.error(.invalidShape, "scores and V \(v) batch dims do not broadcast")
        }
        return [ValueType(dtype: q.dtype, shape: batch + [rows, vs[vs.count - 1]])]
    }

    static let rmsNormalization = OperatorSchema("RMSNormalization", domain: domain, since: 1) { ctx in
        let x = try ctx.type(0)
        guard x.dtype == .float32 else { throw ctx.error(.unsupportedDType, "X must be float32, got \(x.dtype)") }
        let axis = try ctx.node.int("axis", default: -1)
        if axis != -1, x.rank.map({ axis != $0 - 1 }) ?? true {
            throw ctx.error(.invalidModel, "only the last axis is supported, got axis \(axis)")
        }
        if let r = x.rank, r < 1 { throw ctx.error(.invalidShape, "X needs rank >= 1") }
        if ctx.hasInput(1) {
            let s = try ctx.type(1)
            guard s.dtype == x.dtype else { throw ctx.error(.dtypeMismatch, "scale is \(s.dtype) but X is \(x.dtype)") }
            if let n = s.staticDims.flatMap(elementCount), let last = x.shape?.last?.intValue, n != last {
                throw ctx.error(.invalidShape, "scale has \(n) elements but X's last dim is \(last)")
            }
        }
        return [x]
    }

    static let gelu = OperatorSchema("Gelu", domain: domain, since: 1) { ctx in
        let x = try ctx.type(0)
        guard floats.contains(x.dtype) else { throw ctx.error(.unsupportedDType, "X must be float or double, got \(x.dtype)") }
        let approximate = try ctx.node.string("approximate", default: "none")
        guard approximate == "none" || approximate == "tanh" else {
            throw ctx.error(.invalidModel, "approximate must be \"none\" or \"tanh\", not \"\(approximate)\"")
        }
        return [x]
    }

    static let fusedElementwise = OperatorSchema("FusedElementwise", domain: domain, since: 1) { ctx in
        guard ctx.inputCount >= 1 else { throw ctx.error(.invalidModel, "needs at least one input") }
        let types = try (0..<ctx.inputCount).map { try ctx.type($0) }
        guard types.allSatisfy({ $0.dtype == .float32 }) else {
            throw ctx.error(.unsupportedDType, "inputs must all be float32, got \(types.map { "\($0.dtype)" })")
        }
        _ = try ctx.node.strings("program")
        let shapes = types.compactMap(\.shape)
        guard shapes.count == types.count else { return [ValueType(dtype: .float32, shape: nil)] }
        let concrete = types.compactMap(\.staticDims)
        if concrete.count == types.count {
            guard let out = Broadcasting.shape(concrete) else {
                throw ctx.error(.invalidShape, "input shapes do not broadcast: \(types.map(\.description))")
            }
            return [ValueType(dtype: .float32, dims: out)]
        }
        var out: [Dim] = []
        for s in shapes {
            guard let b = Broadcasting.shape(out, s) else {
                throw ctx.error(.invalidShape, "input shapes do not broadcast: \(types.map(\.description))")
            }
            out = b
        }
        return [ValueType(dtype: .float32, shape: out)]
    }
}
