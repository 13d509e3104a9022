/// Shape inference for the opset-27 stateful sequence operators of linear-attention / state-space
/// decoders (the runtime's Lowering/LinearRecurrenceLowering.swift computes them):
/// - LinearAttention: packed `[batch, seq, heads * dim]` Q/K/V, optional decay/beta, recurrent state
///   `[batch, kv_heads, dk, dv]` in and out.
/// - CausalConvWithState: depthwise causal 1-D convolution carrying the last `k - 1` inputs.
package enum LinearRecurrenceOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("LinearAttention", since: 27) { ctx in
            let dtype = try ElementwiseOperators.sameDType(ctx, [0, 1, 2], allowed: ElementwiseOperators.floats)
            for i in [3, 4, 5] where ctx.hasInput(i) {
                guard try ctx.type(i).dtype == dtype else { throw ctx.error(.dtypeMismatch, "input \(i) must have query's type \(dtype)") }
            }
            let rule = try LinearAttentionRule(ctx)
            let q = try ctx.shape(0), k = try ctx.shape(1), v = try ctx.shape(2)
            guard q.count == 3, k.count == 3, v.count == 3 else {
                throw ctx.error(.invalidShape, "query, key and value must be 3-D [batch, seq, heads * dim]")
            }
            func split(_ dim: Dim, _ heads: Int, _ what: String) throws -> Dim {
                guard let n = dim.intValue else { return .unknown }
                guard n % heads == 0 else { throw ctx.error(.invalidShape, "\(what) last dim \(n) does not split into \(heads) heads") }
                return .value(n / heads)
            }
            let dk = try split(q[2], rule.qHeads, "query"), dv = try split(v[2], rule.kvHeads, "value")
            if let kd = k[2].intValue, let d = dk.intValue {
                let expected = try ctx.checked.multiply(rule.kvHeads, d, "kv_num_heads x d_k")
                guard kd == expected else { throw ctx.error(.invalidShape, "key last dim \(kd) must be kv_num_heads * d_k = \(expected)") }
            }
            if let layout = try LinearAttentionLayout(ctx, rule) {
                return [ValueType(dtype: dtype, dims: [layout.batch, layout.length, layout.qHeads * layout.valueSize]),
                        ValueType(dtype: dtype, dims: [layout.batch, layout.kvHeads, layout.keySize, layout.valueSize])]
            }
            let width: Dim = try dv.intValue.map { .value(try ctx.checked.multiply($0, rule.qHeads, "d_v x q_num_heads")) } ?? .unknown
            return [ValueType(dtype: dtype, shape: [q[0], q[1], width]),
                    ValueType(dtype: dtype, shape: [q[0], .value(rule.kvHeads), dk, dv])]
        },
        OperatorSchema("CausalConvWithState", since: 27) { ctx in
            let dtype = try ElementwiseOperators.sameDType(ctx, [0, 1], allowed: ElementwiseOperators.floats)
            for i in [2, 3] where ctx.hasInput(i) {
                guard try ctx.type(i).dtype == dtype else { throw ctx.error(.dtypeMismatch, "input \(i) must have input's type \(dtype)") }
            }
            _ = try CausalConvActivation(ctx.node, ctx.error)
            let x = try ctx.shape(0), w = try ctx.shape(1)
            guard x.count == 3, w.count == 3 else {
                throw ctx.error(.invalidShape, "input must be [batch, channels, length] and weight [channels, 1, k]")
            }
            if let layout = try CausalConvLayout(ctx) {
                return [ValueType(dtype: dtype, dims: [layout.batch, layout.channels, layout.length]),
                        ValueType(dtype: dtype, dims: [layout.batch, layout.channels, layout.kernelSize - 1])]
            }
            let carry: Dim = w[2].intValue.map { .value($0 - 1) } ?? .unknown
            return [ValueType(dtype: dtype, shape: x), ValueType(dtype: dtype, shape: [x[0], x[1], carry])]
        },
    ]
}

/// LinearAttention's attributes, checked: heads, update rule and which optional inputs it needs.
package struct LinearAttentionRule {
    package var qHeads: Int, kvHeads: Int
    /// "gated" and "gated_delta" decay the state by exp(decay); "delta" and "gated_delta" apply beta.
    package var gated: Bool, delta: Bool
    /// 0 means 1 / sqrt(d_k).
    package var scale: Float

    package init(_ ctx: ShapeContext) throws {
        let node = ctx.node
        guard node.hasAttribute("q_num_heads"), node.hasAttribute("kv_num_heads") else {
            throw ctx.error(.invalidModel, "q_num_heads and kv_num_heads are required")
        }
        qHeads = try node.int("q_num_heads"); kvHeads = try node.int("kv_num_heads")
        guard qHeads > 0, kvHeads > 0, qHeads % kvHeads == 0 else {
            throw ctx.error(.invalidModel, "q_num_heads (\(qHeads)) must be a positive multiple of kv_num_heads (\(kvHeads))")
        }
        let rule = try node.string("update_rule", default: "gated_delta")
        guard ["linear", "gated", "delta", "gated_delta"].contains(rule) else {
            throw ctx.error(.invalidModel, "update_rule '\(rule)' is not one of linear, gated, delta, gated_delta")
        }
        gated = rule.hasPrefix("gated"); delta = rule.hasSuffix("delta")
        guard ctx.hasInput(4) == gated else {
            throw ctx.error(.invalidModel, "update_rule '\(rule)' \(gated ? "requires" : "forbids") the decay input")
        }
        guard ctx.hasInput(5) == delta else {
            throw ctx.error(.invalidModel, "update_rule '\(rule)' \(delta ? "requires" : "forbids") the beta input")
        }
        scale = try node.float("scale", default: 0)
    }
}

/// The dims of one LinearAttention node from concrete input shapes (nil while any is symbolic).
package struct LinearAttentionLayout {
    package var batch: Int, length: Int, qHeads: Int, kvHeads: Int, keySize: Int, valueSize: Int
    package var decayWidth: Int, betaWidth: Int

    package init?(_ ctx: ShapeContext, _ rule: LinearAttentionRule) throws {
        guard let q = try ctx.type(0).staticDims, let k = try ctx.type(1).staticDims, let v = try ctx.type(2).staticDims else {
            return nil
        }
        guard q.count == 3, k.count == 3, v.count == 3 else {
            throw ctx.error(.invalidShape, "query \(q), key \(k), value \(v) must be 3-D [batch, seq, heads * dim]")
        }
        qHeads = rule.qHeads; kvHeads = rule.kvHeads
        batch = q[0]; length = q[1]
        guard q[2] % qHeads == 0, v[2] % kvHeads == 0 else {
            throw ctx.error(.invalidShape, "query \(q) / value \(v) last dims do not split into \(qHeads) / \(kvHeads) heads")
        }
        keySize = q[2] / qHeads; valueSize = v[2] / kvHeads
        guard k == [batch, length, try ctx.checked.multiply(kvHeads, keySize, "kv_num_heads x d_k")], v[0] == batch, v[1] == length else {
            throw ctx.error(.invalidShape, "key \(k) and value \(v) must be [\(batch), \(length), kv_num_heads * dim] with d_k = \(keySize)")
        }
        func dims(_ i: Int) throws -> [Int]? { ctx.hasInput(i) ? try ctx.type(i).staticDims : [] }
        guard let past = try dims(3), let decay = try dims(4), let beta = try dims(5) else { return nil }
        if ctx.hasInput(3), past != [batch, kvHeads, keySize, valueSize] {
            throw ctx.error(.invalidShape, "past_state \(past) must be [\(batch), \(kvHeads), \(keySize), \(valueSize)]")
        }
        decayWidth = 0
        if ctx.hasInput(4) {
            let perKey = try ctx.checked.multiply(kvHeads, keySize, "kv_num_heads x d_k")
            guard decay.count == 3, decay[0] == batch, decay[1] == length, decay[2] == kvHeads || decay[2] == perKey else {
                throw ctx.error(.invalidShape, "decay \(decay) must be [\(batch), \(length), \(kvHeads) or \(perKey)]")
            }
            decayWidth = decay[2]
        }
        betaWidth = 0
        if ctx.hasInput(5) {
            guard beta.count == 3, beta[0] == batch, beta[1] == length, beta[2] == kvHeads || beta[2] == 1 else {
                throw ctx.error(.invalidShape, "beta \(beta) must be [\(batch), \(length), \(kvHeads) or 1]")
            }
            betaWidth = beta[2]
        }
    }
}

/// CausalConvWithState's `activation`: "none", or "silu" / its alias "swish".
package struct CausalConvActivation {
    package var silu: Bool

    package init(_ node: Node, _ error: (InferError.Kind, String) -> InferError) throws {
        let name = try node.string("activation", default: "none")
        guard ["none", "silu", "swish"].contains(name) else { throw error(.invalidModel, "activation '\(name)' is not one of none, silu, swish") }
        silu = name != "none"
    }
}

/// The dims of one CausalConvWithState node from concrete input shapes (nil while any is symbolic).
package struct CausalConvLayout {
    package var batch: Int, channels: Int, length: Int, kernelSize: Int

    package init?(_ ctx: ShapeContext) throws {
        guard let x = try ctx.type(0).staticDims, let w = try ctx.type(1).staticDims else { return nil }
        guard x.count == 3, w.count == 3 else {
            throw ctx.error(.invalidShape, "input \(x) must be [batch, channels, length] and weight \(w) [channels, 1, k]")
        }
        batch = x[0]; channels = x[1]; length = x[2]; kernelSize = w[2]
        guard w[0] == channels, w[1] == 1, kernelSize >= 1 else {
            throw ctx.error(.invalidShape, "weight \(w) must be [\(channels), 1, k] with k >= 1")
        }
        if ctx.hasInput(2) {
            guard let b = try ctx.type(2).staticDims else { return nil }
            guard b == [channels] else { throw ctx.error(.invalidShape, "bias \(b) must be [\(channels)]") }
        }
        if ctx.hasInput(3) {
            guard let p = try ctx.type(3).staticDims else { return nil }
            guard p == [batch, channels, kernelSize - 1] else {
                throw ctx.error(.invalidShape, "past_state \(p) must be [\(batch), \(channels), \(kernelSize - 1)]")
            }
        }
    }
}
