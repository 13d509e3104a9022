/// Rotary position embedding on `[batch, seq, heads, head]` Double buffers: the first `rotaryDim`
/// values of each head rotate by the angle whose cos/sin rows `cos[b, s, :]`, `sin[b, s, :]`
/// (`rotaryDim / 2` each) give, as pairs `(x[i], x[i + half])` or, `interleaved`, `(x[2i], x[2i+1])`.
package enum RotaryEmbeddingKernel {
    package static func run(_ x: UnsafePointer<Double>, cos: UnsafePointer<Double>, sin: UnsafePointer<Double>,
                            batch: Int, seq: Int, heads: Int, headSize: Int, rotaryDim: Int, interleaved: Bool,
                            into y: UnsafeMutablePointer<Double>) {
        let half = rotaryDim / 2
        for b in 0..<batch {
            for s in 0..<seq {
                let c = cos + (b * seq + s) * half, n = sin + (b * seq + s) * half
                for h in 0..<heads {
                    let base = ((b * seq + s) * heads + h) * headSize
                    for i in 0..<headSize { y[base + i] = x[base + i] }
                    for i in 0..<half {
                        let (p, q) = interleaved ? (base + 2 * i, base + 2 * i + 1) : (base + i, base + i + half)
                        let x1 = x[p], x2 = x[q]
                        y[p] = c[i] * x1 - n[i] * x2
                        y[q] = n[i] * x1 + c[i] * x2
                    }
                }
            }
        }
    }
}
