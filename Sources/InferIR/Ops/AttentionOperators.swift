/// Shape inference for the standard-domain Attention (opsets 23 to 25; the runtime's
/// Ops/AttentionLowering.swift computes it). Q, K, V are 4-D `[batch, heads, seq, head_size]`
/// or 3-D `[batch, seq, heads * head_size]` with `q_num_heads` / `kv_num_heads`; past_key and
/// past_value are 4-D and are concatenated before K and V into present_key / present_value.
package enum AttentionOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Attention", since: 23) { ctx in
            let q = try ctx.type(0), k = try ctx.type(1), v = try ctx.type(2)
            try ElementwiseOperators.require(ctx, q.dtype, in: ElementwiseOperators.floats, "Q")
            guard k.dtype == q.dtype, v.dtype == q.dtype else { throw ctx.error(.dtypeMismatch, "Q, K and V must have one type") }
            let outputs = ctx.node.outputs.count
            guard let layout = try AttentionLayout(ctx) else {
                return (0..<outputs).map { _ in ValueType(dtype: q.dtype, shape: nil) }
            }
            let total = Dim.value(layout.pastLength + layout.kvLength)
            let y: [Int] = layout.threeD ? [layout.batch, layout.qLength, layout.qHeads * layout.vHeadSize]
                : [layout.batch, layout.qHeads, layout.qLength, layout.vHeadSize]
            let types = [
                ValueType(dtype: q.dtype, dims: y),
                ValueType(dtype: q.dtype, shape: [.value(layout.batch), .value(layout.kvHeads), total, .value(layout.headSize)]),
                ValueType(dtype: q.dtype, shape: [.value(layout.batch), .value(layout.kvHeads), total, .value(layout.vHeadSize)]),
                ValueType(dtype: q.dtype, shape: [.value(layout.batch), .value(layout.qHeads), .value(layout.qLength), total]),
            ]
            return Array(types.prefix(outputs))
        },
        RotaryEmbeddingOperator.schema,
    ]
}

/// The dims of one Attention node, from its (concrete) input shapes.
package struct AttentionLayout {
    package var threeD: Bool
    package var batch: Int, qHeads: Int, kvHeads: Int
    package var qLength: Int, kvLength: Int, pastLength: Int
    package var headSize: Int, vHeadSize: Int

    /// Nil when an input shape is not concrete yet.
    package init?(_ ctx: ShapeContext) throws {
        guard let q = try ctx.type(0).staticDims, let k = try ctx.type(1).staticDims, let v = try ctx.type(2).staticDims else {
            return nil
        }
        guard q.count == k.count, k.count == v.count, q.count == 3 || q.count == 4 else {
            throw ctx.error(.invalidShape, "Q \(q), K \(k), V \(v) must all be 3-D or all 4-D")
        }
        threeD = q.count == 3
        batch = q[0]
        if threeD {
            qHeads = try ctx.node.int("q_num_heads")
            kvHeads = try ctx.node.int("kv_num_heads")
            guard qHeads > 0, kvHeads > 0, q[2] % qHeads == 0, k[2] % kvHeads == 0, v[2] % kvHeads == 0 else {
                throw ctx.error(.invalidShape, "hidden sizes \(q[2]), \(k[2]), \(v[2]) do not split into \(qHeads) / \(kvHeads) heads")
            }
            qLength = q[1]; kvLength = k[1]
            headSize = q[2] / qHeads
            guard k[2] / kvHeads == headSize else { throw ctx.error(.invalidShape, "Q and K head sizes differ") }
            vHeadSize = v[2] / kvHeads
            guard v[1] == kvLength else { throw ctx.error(.invalidShape, "K and V lengths differ") }
        } else {
            qHeads = q[1]; kvHeads = k[1]
            qLength = q[2]; kvLength = k[2]
            headSize = q[3]; vHeadSize = v[3]
            guard k[3] == headSize, v[1] == kvHeads, v[2] == kvLength else {
                throw ctx.error(.invalidShape, "Q \(q), K \(k), V \(v) do not agree")
            }
        }
        guard k[0] == batch, v[0] == batch, kvHeads > 0, qHeads % kvHeads == 0 else {
            throw ctx.error(.invalidShape, "Q \(q), K \(k), V \(v): batch must agree and Q heads be a multiple of KV heads")
        }
        pastLength = 0
        if ctx.hasInput(4) || ctx.hasInput(5) {
            guard ctx.hasInput(4), ctx.hasInput(5) else { throw ctx.error(.invalidModel, "past_key and past_value go together") }
            guard let pk = try ctx.type(4).staticDims, let pv = try ctx.type(5).staticDims else { return nil }
            guard pk.count == 4, pv.count == 4, pk[0] == batch, pk[1] == kvHeads, pk[3] == headSize,
                  pv[0] == batch, pv[1] == kvHeads, pv[2] == pk[2], pv[3] == vHeadSize else {
                throw ctx.error(.invalidShape, "past_key \(pk) / past_value \(pv) do not match K and V")
            }
            pastLength = pk[2]
        }
    }
}

/// RotaryEmbedding (opset 23): X `[batch, heads, seq, head]` or `[batch, seq, heads * head]`
/// (with `num_heads`); the output has X's type.
package enum RotaryEmbeddingOperator {
    package static let schema = OperatorSchema("RotaryEmbedding", since: 23) { ctx in
        let x = try ctx.type(0)
        _ = try ElementwiseOperators.sameDType(ctx, [0, 1, 2], allowed: ElementwiseOperators.floats)
        if let rank = x.rank, rank != 3 && rank != 4 { throw ctx.error(.invalidShape, "X must be 3-D or 4-D, got \(x)") }
        return [x]
    }
}
