import Foundation

/// ONNX Attention's core on Double buffers (the operator is rarely hot in its standard-domain
/// form; fused attention has its own kernels): `softmax(softcap(scale * Q K^T) + bias) V` per head,
/// with grouped key/value heads. Rows whose bias is -inf everywhere give zeros, as the spec says.
package enum ScaledDotProductAttention {
    /// What the optional `qk_matmul_output` holds (ONNX `qk_matmul_output_mode`).
    package enum ScoreOutput: Int, Sendable {
        /// The scaled (and soft-capped) Q K^T.
        case product = 0, softcapped = 1
        /// Plus the mask bias.
        case withBias = 2
        /// After the softmax.
        case softmax = 3
    }

    /// `q [batch, qHeads, s, dk]`, `k [batch, kvHeads, t, dk]`, `v [batch, kvHeads, t, dv]`,
    /// `bias [batch, qHeads, s, t]` (nil: none), `out [batch, qHeads, s, dv]`, `scores [batch, qHeads, s, t]`.
    package static func run(q: UnsafePointer<Double>, k: UnsafePointer<Double>, v: UnsafePointer<Double>,
                            bias: UnsafePointer<Double>?, batch: Int, qHeads: Int, kvHeads: Int, s: Int, t: Int,
                            dk: Int, dv: Int, scale: Double, softcap: Double,
                            out: UnsafeMutablePointer<Double>, scores: UnsafeMutablePointer<Double>?, scoreOutput: ScoreOutput) {
        let group = max(qHeads / max(kvHeads, 1), 1)
        let row = UnsafeMutablePointer<Double>.allocate(capacity: max(t, 1))
        defer { row.deallocate() }
        for b in 0..<batch {
            for h in 0..<qHeads {
                let kvHead = h / group
                let kBase = k + (b * kvHeads + kvHead) * t * dk, vBase = v + (b * kvHeads + kvHead) * t * dv
                for i in 0..<s {
                    let qRow = q + ((b * qHeads + h) * s + i) * dk
                    let biasRow = bias.map { $0 + ((b * qHeads + h) * s + i) * t }
                    let scoreRow = scores.map { $0 + ((b * qHeads + h) * s + i) * t }
                    var allMasked = t > 0
                    for j in 0..<t {
                        var dot = 0.0
                        let kRow = kBase + j * dk
                        for d in 0..<dk { dot += qRow[d] * kRow[d] }
                        var score = dot * scale
                        if softcap > 0 { score = softcap * Foundation.tanh(score / softcap) }
                        if let scoreRow, scoreOutput == .product || scoreOutput == .softcapped { scoreRow[j] = score }
                        if let biasRow {
                            if biasRow[j] != -.infinity { allMasked = false }
                            score += biasRow[j]
                        } else {
                            allMasked = false
                        }
                        if let scoreRow, scoreOutput == .withBias { scoreRow[j] = score }
                        row[j] = score
                    }
                    // Softmax; a row that is -inf everywhere (or masked by the bias alone) gives zeros.
                    var largest = -Double.infinity
                    for j in 0..<t { largest = max(largest, row[j]) }
                    if largest == -.infinity { largest = 0 }
                    var sum = 0.0
                    for j in 0..<t { row[j] = Foundation.exp(row[j] - largest); sum += row[j] }
                    if sum == 0 { sum = 1 }
                    for j in 0..<t { row[j] = allMasked ? 0 : row[j] / sum }
                    if let scoreRow, scoreOutput == .softmax { for j in 0..<t { scoreRow[j] = row[j] } }
                    let outRow = out + ((b * qHeads + h) * s + i) * dv
                    for d in 0..<dv { outRow[d] = 0 }
                    for j in 0..<t {
                        let p = row[j], vRow = vBase + j * dv
                        if p == 0 { continue }
                        for d in 0..<dv { outRow[d] += p * vRow[d] }
                    }
                }
            }
        }
    }
}
