/// The recurrence of ONNX LinearAttention (opset 27) on packed `[batch, seq, heads * dim]` buffers.
/// Per batch and KV head, the `[dk, dv]` state `S` (kept in `state`, which starts as past_state or
/// zeros and ends as present_state) is updated token by token:
///   gated:  S *= exp(g_t)                     (g per key dim or per head)
///   delta:  u = beta_t * (v_t - S^T k_t)      (else u = v_t)
///   write:  S += k_t ⊗ u
///   read:   o_t[hq] = scale * q_t[hq]^T S     for each query head hq sharing this KV head.
/// Sequential per token, as the spec defines it; (batch, KV head) pairs run in parallel.
package enum LinearAttentionKernel {
    package struct Geometry: Sendable {
        package var batch: Int, length: Int, qHeads: Int, kvHeads: Int, keySize: Int, valueSize: Int
        /// Last dim of decay: kvHeads * keySize (per key dim) or kvHeads (per head); 0 without decay.
        package var decayWidth: Int
        /// Last dim of beta: kvHeads or 1; 0 without beta.
        package var betaWidth: Int

        package init(batch: Int, length: Int, qHeads: Int, kvHeads: Int, keySize: Int, valueSize: Int,
                     decayWidth: Int, betaWidth: Int) {
            self.batch = batch; self.length = length; self.qHeads = qHeads; self.kvHeads = kvHeads
            self.keySize = keySize; self.valueSize = valueSize; self.decayWidth = decayWidth; self.betaWidth = betaWidth
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func run<T: ElementFloat>(query: UnsafePointer<T>, key: UnsafePointer<T>, value: UnsafePointer<T>,
                                             decay: UnsafePointer<T>?, beta: UnsafePointer<T>?, scale: T,
                                             state: UnsafeMutablePointer<T>, output: UnsafeMutablePointer<T>,
                                             _ g: Geometry, threads: Int) {
        let dk = g.keySize, dv = g.valueSize, group = g.qHeads / g.kvHeads
        let qRow = g.qHeads * dk, kRow = g.kvHeads * dk, vRow = g.kvHeads * dv, oRow = g.qHeads * dv
        let perHeadDecay = g.decayWidth == g.kvHeads
        let work = g.batch * g.kvHeads * g.length * dk * dv * (2 + group)
        ParallelFor.forEach(g.batch * g.kvHeads, work: work, threads: threads) { plane in
            let b = plane / g.kvHeads, h = plane % g.kvHeads
            let s = state + plane * dk * dv
            let update = UnsafeMutablePointer<T>.allocate(capacity: max(dv, 1))
            defer { update.deallocate() }
            for t in 0..<g.length {
                let token = b * g.length + t
                let k = key + token * kRow + h * dk
                let v = value + token * vRow + h * dv
                if let decay {
                    if perHeadDecay {
                        let factor = T.exp(decay[token * g.decayWidth + h])
                        for i in 0..<(dk * dv) { s[i] *= factor }
                    } else {
                        let gates = decay + token * g.decayWidth + h * dk
                        for d in 0..<dk {
                            let factor = T.exp(gates[d]), row = s + d * dv
                            for m in 0..<dv { row[m] *= factor }
                        }
                    }
                }
                if let beta {
                    // u = beta * (v - S^T k): retrieve row by row so the inner loop stays contiguous.
                    for m in 0..<dv { update[m] = 0 }
                    for d in 0..<dk {
                        let kd = k[d], row = s + d * dv
                        for m in 0..<dv { update[m] += row[m] * kd }
                    }
                    let rate = beta[token * g.betaWidth + (g.betaWidth == 1 ? 0 : h)]
                    for m in 0..<dv { update[m] = rate * (v[m] - update[m]) }
                } else {
                    for m in 0..<dv { update[m] = v[m] }
                }
                for d in 0..<dk {
                    let kd = k[d], row = s + d * dv
                    for m in 0..<dv { row[m] += kd * update[m] }
                }
                for j in 0..<group {
                    let hq = h * group + j
                    let q = query + token * qRow + hq * dk
                    let o = output + token * oRow + hq * dv
                    for m in 0..<dv { o[m] = 0 }
                    for d in 0..<dk {
                        let qd = q[d] * scale, row = s + d * dv
                        for m in 0..<dv { o[m] += qd * row[m] }
                    }
                }
            }
        }
    }
}
