/// Shape inference for the project's own fused ops (domain `swiftinfer`) of the FusedTransformer family.
///
/// - `Attention(Q, K, V, mask...)`: `MatMul(Softmax(masks(MatMul(Q, Kᵀ) * scale)), V)` with ONNX
///   MatMul/broadcasting semantics over the leading (batch, head) dims; see `FusedAttentionAttributes`.
/// - `RMSNormalization(X [, scale])`: `X / sqrt(mean(X², last axis) + epsilon) * scale`.
/// - `Gelu(X)`: as ONNX Gelu (opset 20), `approximate` = "none" | "tanh".
/// - `FusedElementwise(inputs...)`: a postfix `program` over the inputs (broadcast to one output
///   shape) and the `constants` floats; see `FusedElementwiseProgram` for the tokens.
package enum FusedTransformerOperators {
    package static let domain = "swiftinfer"

    package static let schemas: [OperatorSchema] = [attention, rmsNormalization, gelu, fusedElementwise]

    static let floats: Set<DType> = [.float32, .float64]

    static let attention = OperatorSchema("Attention", domain: domain, since: 1) { ctx in
        let q = try ctx.type(0), k = try ctx.type(1), v = try ctx.type(2)
        guard q.dtype == .float32, k.dtype == q.dtype, v.dtype == q.dtype else {
            throw ctx.error(.unsupportedDType, "Q, K, V must be float32, got \(q.dtype), \(k.dtype), \(v.dtype)")
        }
        let attributes = try FusedAttentionAttributes(ctx.node)
        guard ctx.node.inputs.count == 3 + attributes.masks.count else {
            throw ctx.error(.invalidModel, "\(attributes.masks.count) masks listed but \(ctx.node.inputs.count - 3) mask inputs given")
        }
        var masks: [ValueType] = []
        for (i, mask) in attributes.masks.enumerated() {
            let m = try ctx.type(3 + i)
            let wanted: DType = mask.isAdditive ? q.dtype : .bool
            guard m.dtype == wanted else {
                throw ctx.error(.dtypeMismatch, "mask \(i) (\(mask.name)) must be \(wanted), got \(m.dtype)")
            }
            masks.append(m)
        }
        guard let qs = q.shape, let ks = k.shape, let vs = v.shape, masks.allSatisfy({ $0.shape != nil }) else {
            return [ValueType(dtype: q.dtype, shape: nil)]
        }
        guard qs.count >= 2, ks.count >= 2, vs.count >= 2 else {
            throw ctx.error(.invalidShape, "Q, K and V need rank >= 2, got \(q), \(k), \(v)")
        }
        let kTransposed = attributes.kTransposed
        let sq = qs[qs.count - 2], depth = qs[qs.count - 1]
        let sk = kTransposed ? ks[ks.count - 1] : ks[ks.count - 2]
        let kDepth = kTransposed ? ks[ks.count - 2] : ks[ks.count - 1]
        if let a = depth.intValue, let b = kDepth.intValue, a != b {
            throw ctx.error(.invalidShape, "Q's last dim \(a) differs from K's depth \(b)")
        }
        // Scores [batch..., Sq, Sk], then broadcast with each mask.
        guard var scores = Broadcasting.shape(Array(qs.dropLast(2)), Array(ks.dropLast(2))) else {
            throw ctx.error(.invalidShape, "Q \(q) and K \(k) batch dims do not broadcast")
        }
        scores += [sq, sk]
        for m in masks {
            guard let b = Broadcasting.shape(scores, m.shape!) else {
                throw ctx.error(.invalidShape, "mask \(m) does not broadcast to the scores \(scores)")
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
        _ = try ElementwiseOperators.geluTanhApproximation(ctx)
        return [x]
    }

    /// FusedElementwise's postfix `program` tokens (required) and its `constants` (default none);
    /// the runtime parses the tokens.
    package static func fusedElementwiseProgram(_ ctx: ShapeContext) throws -> (tokens: [String], constants: [Float]) {
        (try ctx.node.strings("program"), try ctx.node.floats("constants", default: []))
    }

    static let fusedElementwise = OperatorSchema("FusedElementwise", domain: domain, since: 1) { ctx in
        guard ctx.inputCount >= 1 else { throw ctx.error(.invalidModel, "needs at least one input") }
        let types = try (0..<ctx.inputCount).map { try ctx.type($0) }
        guard types.allSatisfy({ $0.dtype == .float32 }) else {
            throw ctx.error(.unsupportedDType, "inputs must all be float32, got \(types.map { "\($0.dtype)" })")
        }
        _ = try fusedElementwiseProgram(ctx)
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

/// The attributes of `swiftinfer.Attention`, read in one place for shape inference and the kernel binding.
///
/// - `scale` (float, default 1) multiplies `MatMul(Q, Kᵀ)`.
/// - `k_transposed` (int): 1 means K is given as `[..., D, Sk]` (already Kᵀ), else `[..., Sk, D]`.
/// - `masks` (strings): the kind of each mask input (inputs 3...), applied to the scaled scores in
///   this order: "add" (scores + mask, a float bias), "keep" (mask ? scores : fill) or "drop"
///   (mask ? fill : scores), bool masks; every mask broadcasts to the scores. `mask_fills` (floats)
///   holds each mask's fill (ignored for "add").
/// - `causal` (int): after the masks, -inf is added where key j > query row i.
/// - `zero_fully_masked_rows` (int): a row whose combined mask bias is -inf at every key gives zero
///   probabilities (ONNX Attention); `zero_nan_probabilities` (int): NaN probabilities become 0
///   (`Where(IsNaN(p), 0, p)`).
package struct FusedAttentionAttributes: Equatable, Sendable {
    package enum Mask: Equatable, Sendable {
        case add
        case keep(fill: Float)
        case drop(fill: Float)

        package var name: String {
            switch self {
            case .add: "add"
            case .keep: "keep"
            case .drop: "drop"
            }
        }

        package var fill: Float {
            switch self {
            case .add: 0
            case .keep(let f), .drop(let f): f
            }
        }

        package var isAdditive: Bool { self == .add }
    }

    package var scale: Float = 1
    package var kTransposed = false
    package var masks: [Mask] = []
    package var causal = false
    package var zeroFullyMaskedRows = false
    package var zeroNaNProbabilities = false

    package init(scale: Float = 1, kTransposed: Bool = false, masks: [Mask] = [], causal: Bool = false,
                 zeroFullyMaskedRows: Bool = false, zeroNaNProbabilities: Bool = false) {
        self.scale = scale; self.kTransposed = kTransposed; self.masks = masks; self.causal = causal
        self.zeroFullyMaskedRows = zeroFullyMaskedRows; self.zeroNaNProbabilities = zeroNaNProbabilities
    }

    package init(_ node: Node) throws {
        scale = try node.float("scale", default: 1)
        kTransposed = try node.int("k_transposed", default: 0) != 0
        let kinds = try node.strings("masks", default: [])
        let fills = try node.floats("mask_fills", default: kinds.map { _ in 0 })
        guard fills.count == kinds.count else {
            throw InferError.at(node, opset: nil, .invalidModel, "mask_fills has \(fills.count) values for \(kinds.count) masks")
        }
        masks = try zip(kinds, fills).map { kind, fill in
            switch kind {
            case "add": .add
            case "keep": .keep(fill: fill)
            case "drop": .drop(fill: fill)
            default: throw InferError.at(node, opset: nil, .invalidModel, "a mask kind must be add, keep or drop, not \"\(kind)\"")
            }
        }
        causal = try node.int("causal", default: 0) != 0
        zeroFullyMaskedRows = try node.int("zero_fully_masked_rows", default: 0) != 0
        zeroNaNProbabilities = try node.int("zero_nan_probabilities", default: 0) != 0
    }

    /// The node attributes; defaults are left out so the printed IR shows only what matters.
    package var attributes: [String: Attribute] {
        var a: [String: Attribute] = ["scale": .float(scale), "k_transposed": .int(kTransposed ? 1 : 0)]
        if !masks.isEmpty {
            a["masks"] = .strings(masks.map(\.name))
            if masks.contains(where: { !$0.isAdditive }) { a["mask_fills"] = .floats(masks.map(\.fill)) }
        }
        if causal { a["causal"] = .int(1) }
        if zeroFullyMaskedRows { a["zero_fully_masked_rows"] = .int(1) }
        if zeroNaNProbabilities { a["zero_nan_probabilities"] = .int(1) }
        return a
    }
}
