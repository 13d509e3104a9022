import Foundation
import InferIR
import InferKernels

/// Runtime binding for the standard-domain Attention (`AttentionOperators`), following the ONNX
/// reference (onnx/reference/ops/op_attention.py): the mask, causal, sliding-window and
/// padding biases are summed into one `[batch, heads, q, kv]` bias, then the kernel runs in Double.
package enum AttentionLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("Attention") { ctx in try attention(ctx) },
        KernelBinding("RotaryEmbedding") { ctx in try rotaryEmbedding(ctx) },
    ]

    /// RotaryEmbedding: X to `[batch, seq, heads, head]`, the caches picked by `position_ids`
    /// (`[batch, seq]` into `[positions, rotary / 2]` caches) or given as `[batch, seq, rotary / 2]`.
    static func rotaryEmbedding(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), cosCache = try ctx.input(1), sinCache = try ctx.input(2), out = ctx.outputs[0]
        let fourD = x.rank == 4
        guard x.rank == 3 || fourD else { throw ctx.error(.invalidShape, "X must be 3-D or 4-D, got \(x.shape)") }
        let batch = x.shape[0], seq = fourD ? x.shape[2] : x.shape[1]
        let heads = fourD ? x.shape[1] : try ctx.node.int("num_heads")
        guard heads > 0, fourD || x.shape[2] % heads == 0 else { throw ctx.error(.invalidShape, "num_heads \(heads) does not divide X \(x.shape)") }
        let headSize = fourD ? x.shape[3] : x.shape[2] / heads
        var rotaryDim = try ctx.node.int("rotary_embedding_dim", default: 0)
        if rotaryDim == 0 { rotaryDim = headSize }
        guard rotaryDim <= headSize, rotaryDim % 2 == 0 else { throw ctx.error(.invalidShape, "rotary_embedding_dim \(rotaryDim) does not fit head size \(headSize)") }
        let half = rotaryDim / 2
        func rows(_ cache: Tensor) throws -> [Double] {
            let values = cache.doubleValues()
            guard cache.shape.last == half else { throw ctx.error(.invalidShape, "cache \(cache.shape) must end in \(half)") }
            guard let positions = ctx.optionalInput(3) else {
                guard cache.shape == [batch, seq, half] else { throw ctx.error(.invalidShape, "cache \(cache.shape) must be [\(batch), \(seq), \(half)]") }
                return values
            }
            let ids = positions.intValues(), limit = cache.count / max(half, 1)
            guard positions.shape == [batch, seq] || positions.count == seq, ids.allSatisfy({ $0 >= 0 && $0 < limit }) else {
                throw ctx.error(.invalidShape, "position_ids \(positions.shape) must be [\(batch), \(seq)] within \(limit) positions")
            }
            var picked: [Double] = []
            picked.reserveCapacity(batch * seq * half)
            for b in 0..<batch { for s in 0..<seq {
                let id = ids[positions.count == seq ? s : b * seq + s]
                picked += values[(id * half)..<((id + 1) * half)]
            } }
            return picked
        }
        // To [batch, seq, heads, head]: 4-D X is [batch, heads, seq, head].
        var values = x.doubleValues()
        if fourD {
            var t = values
            for b in 0..<batch { for h in 0..<heads { for s in 0..<seq { for d in 0..<headSize {
                t[((b * seq + s) * heads + h) * headSize + d] = values[((b * heads + h) * seq + s) * headSize + d]
            } } } }
            values = t
        }
        let cosRows = try rows(cosCache), sinRows = try rows(sinCache)
        var rotated = [Double](repeating: 0, count: values.count)
        let interleaved = try ctx.node.int("interleaved", default: 0) != 0
        values.withUnsafeBufferPointer { xs in cosRows.withUnsafeBufferPointer { cs in sinRows.withUnsafeBufferPointer { ss in
            rotated.withUnsafeMutableBufferPointer { ys in
                guard let xp = xs.baseAddress, let yp = ys.baseAddress, let cp = cs.baseAddress, let sp = ss.baseAddress else { return }
                RotaryEmbeddingKernel.run(xp, cos: cp, sin: sp, batch: batch, seq: seq, heads: heads, headSize: headSize,
                                          rotaryDim: rotaryDim, interleaved: interleaved, into: yp)
            }
        } } }
        if fourD {
            var t = rotated
            for b in 0..<batch { for h in 0..<heads { for s in 0..<seq { for d in 0..<headSize {
                t[((b * heads + h) * seq + s) * headSize + d] = rotated[((b * seq + s) * heads + h) * headSize + d]
            } } } }
            rotated = t
        }
        try storeDoubles(rotated, into: out, ctx)
    }

    static func attention(_ ctx: KernelContext) throws {
        guard let l = try AttentionLayout(ctx.shapeContext) else { throw ctx.error(.invalidShape, "input shapes are unknown") }
        let node = ctx.node
        // Y is the one required output: a text graph can still name it "" (`"", Y = Attention(...)`
        // makes Y the present key), which must be refused, not written into a zero-size slot.
        guard let first = node.outputs.first, !first.isEmpty else {
            throw ctx.error(.invalidModel, "Attention's output 0 (Y) is required but has an empty name")
        }
        let total = l.pastLength + l.kvLength
        let q = heads(try ctx.input(0), l, heads: l.qHeads, length: l.qLength, size: l.headSize)
        var k = heads(try ctx.input(1), l, heads: l.kvHeads, length: l.kvLength, size: l.headSize)
        var v = heads(try ctx.input(2), l, heads: l.kvHeads, length: l.kvLength, size: l.vHeadSize)
        if l.pastLength > 0 {
            k = concatenated(try ctx.input(4).doubleValues(), k, l, size: l.headSize)
            v = concatenated(try ctx.input(5).doubleValues(), v, l, size: l.vHeadSize)
        }
        if ctx.outputs.count > 1, !node.outputs[1].isEmpty { store(k, into: ctx.outputs[1]) }
        if ctx.outputs.count > 2, !node.outputs[2].isEmpty { store(v, into: ctx.outputs[2]) }

        let bias = try attentionBias(ctx, l, total: total)
        let scale = node.hasAttribute("scale") ? Double(try node.float("scale")) : 1 / Double(l.headSize).squareRoot()
        let softcap = Double(try node.float("softcap", default: 0))
        let modeValue = try node.int("qk_matmul_output_mode", default: 0)
        guard let mode = ScaledDotProductAttention.ScoreOutput(rawValue: modeValue) else {
            throw ctx.error(.invalidModel, "qk_matmul_output_mode must be 0 to 3, got \(modeValue)")
        }
        let wantScores = ctx.outputs.count > 3 && !node.outputs[3].isEmpty
        func buffer(_ values: [Double]) -> Tensor { Tensor(shape: [values.count], exactly: values) }
        let qBuffer = buffer(q), kBuffer = buffer(k), vBuffer = buffer(v), biasBuffer = bias.map(buffer)
        let outBuffer = try Tensor.zeros(.float64, shape: [l.batch * l.qHeads * l.qLength * l.vHeadSize])
        let scoreBuffer = try Tensor.zeros(.float64, shape: [wantScores ? l.batch * l.qHeads * l.qLength * total : 0])
        // The temporaries must outlive the kernel call that only sees their pointers.
        withExtendedLifetime((qBuffer, kBuffer, vBuffer, biasBuffer)) { ScaledDotProductAttention.run(
            q: qBuffer.pointer(as: Double.self), k: kBuffer.pointer(as: Double.self), v: vBuffer.pointer(as: Double.self),
            bias: biasBuffer.map { UnsafePointer($0.pointer(as: Double.self)) }, batch: l.batch, qHeads: l.qHeads,
            kvHeads: l.kvHeads, s: l.qLength, t: total, dk: l.headSize, dv: l.vHeadSize, scale: scale, softcap: softcap,
            out: outBuffer.pointer(as: Double.self), scores: wantScores ? scoreBuffer.pointer(as: Double.self) : nil,
            scoreOutput: mode) }
        var out = outBuffer.doubleValues()
        if l.threeD {
            // [batch, heads, q, dv] -> [batch, q, heads * dv]
            var merged = [Double](repeating: 0, count: out.count)
            for b in 0..<l.batch {
                for h in 0..<l.qHeads {
                    for i in 0..<l.qLength {
                        for d in 0..<l.vHeadSize {
                            merged[((b * l.qLength + i) * l.qHeads + h) * l.vHeadSize + d] = out[((b * l.qHeads + h) * l.qLength + i) * l.vHeadSize + d]
                        }
                    }
                }
            }
            out = merged
        }
        store(out, into: ctx.outputs[0])
        if wantScores { store(scoreBuffer.doubleValues(), into: ctx.outputs[3]) }
    }

    /// Q, K or V as Double `[batch, heads, length, size]` (3-D inputs are `[batch, length, heads * size]`).
    static func heads(_ t: Tensor, _ l: AttentionLayout, heads: Int, length: Int, size: Int) -> [Double] {
        let values = t.doubleValues()
        guard l.threeD else { return values }
        var out = [Double](repeating: 0, count: values.count)
        for b in 0..<l.batch {
            for s in 0..<length {
                for h in 0..<heads {
                    for d in 0..<size { out[((b * heads + h) * length + s) * size + d] = values[((b * length + s) * heads + h) * size + d] }
                }
            }
        }
        return out
    }

    /// past `[batch, kvHeads, past, size]` then current `[batch, kvHeads, kv, size]` along the sequence.
    static func concatenated(_ past: [Double], _ current: [Double], _ l: AttentionLayout, size: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(past.count + current.count)
        for bh in 0..<(l.batch * l.kvHeads) {
            out += past[(bh * l.pastLength * size)..<((bh + 1) * l.pastLength * size)]
            out += current[(bh * l.kvLength * size)..<((bh + 1) * l.kvLength * size)]
        }
        return out
    }

    /// The additive bias `[batch, qHeads, q, total]`, or nil when nothing masks.
    static func attentionBias(_ ctx: KernelContext, _ l: AttentionLayout, total: Int) throws -> [Double]? {
        let node = ctx.node
        let causal = try node.int("is_causal", default: 0) != 0
        let left = try node.int("left_window_size", default: -1), right = try node.int("right_window_size", default: -1)
        let mask = ctx.optionalInput(3)
        let nonpad = ctx.opset >= 24 ? ctx.optionalInput(6)?.intValues() : nil
        if let nonpad, nonpad.count != l.batch { throw ctx.error(.invalidShape, "nonpad_kv_seqlen must have \(l.batch) values") }
        guard mask != nil || causal || left >= 0 || right >= 0 || nonpad != nil else { return nil }
        let (B, H, S, T) = (l.batch, l.qHeads, l.qLength, total)
        var bias = [Double](repeating: 0, count: B * H * S * T)
        if let mask {
            let maskT = mask.shape.last ?? 1
            guard mask.rank >= 1, mask.rank <= 4, maskT <= T,
                  Broadcasting.shape([B, H, S, maskT], mask.shape) == [B, H, S, maskT] else {
                throw ctx.error(.invalidShape, "attn_mask \(mask.shape) does not broadcast to [\(B), \(H), \(S), <= \(T)]")
            }
            guard mask.dtype == .bool || mask.dtype == ctx.inputs[0]?.dtype else {
                throw ctx.error(.dtypeMismatch, "attn_mask must be bool or Q's type, got \(mask.dtype)")
            }
            let strides = Broadcasting.strides(of: mask.shape, broadcastTo: [B, H, S, maskT])
            let values = mask.doubleValues()
            for b in 0..<B { for h in 0..<H { for i in 0..<S { for j in 0..<T {
                let index = ((b * H + h) * S + i) * T + j
                if j >= maskT { bias[index] = -.infinity; continue }
                let m = values[b * strides[0] + h * strides[1] + i * strides[2] + j * strides[3]]
                bias[index] = mask.dtype == .bool ? (m != 0 ? 0 : -.infinity) : m
            } } } }
        }
        for b in 0..<B {
            // Queries sit after the cached keys (or, with nonpad_kv_seqlen, at the end of the valid keys).
            let offset = l.pastLength == 0 && nonpad != nil ? nonpad![b] - S : l.pastLength
            for h in 0..<H { for i in 0..<S { for j in 0..<T {
                let index = ((b * H + h) * S + i) * T + j
                let diff = i + offset - j
                if causal && diff < 0 { bias[index] = -.infinity }
                if left >= 0 && diff > left { bias[index] = -.infinity }
                if right >= 0 && -diff > right { bias[index] = -.infinity }
                if let nonpad, j >= nonpad[b] { bias[index] = -.infinity }
            } } }
        }
        return bias
    }

    static func store(_ values: [Double], into out: Tensor) {
        precondition(values.count == out.count, "attention produced \(values.count) values for \(out.shape)")
        switch out.dtype {
        case .float64:
            let p = out.pointer(as: Double.self)
            for (i, x) in values.enumerated() { p[i] = x }
        default:
            let p = out.pointer(as: Float.self)
            for (i, x) in values.enumerated() { p[i] = Float(x) }
        }
    }
}
