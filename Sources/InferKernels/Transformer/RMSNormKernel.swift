/// RMS normalization over contiguous rows of `[outer, n]`: y = x / sqrt(mean(x²) + eps) * scale
/// (`scale` optional, `n` values).
package enum RMSNormKernel {
    package static func rmsNorm(_ src: UnsafePointer<Float>, outer: Int, n: Int, epsilon: Float,
                                scale: UnsafePointer<Float>?, into dst: UnsafeMutablePointer<Float>, threads: Int = 1) {
        ParallelFor.run(count: outer, work: outer * n, threads: threads) { rows in
            for o in rows {
                let x = src + o * n, y = dst + o * n
                var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
                var j = 0
                while j + 4 <= n {
                    a0 += x[j] * x[j]; a1 += x[j + 1] * x[j + 1]; a2 += x[j + 2] * x[j + 2]; a3 += x[j + 3] * x[j + 3]
                    j += 4
                }
                while j < n { a0 += x[j] * x[j]; j += 1 }
                let meanSquare = ((a0 + a1) + (a2 + a3)) / Float(Swift.max(n, 1))
                let inverse = 1 / (meanSquare + epsilon).squareRoot()
                if let s = scale {
                    for j in 0..<n { y[j] = x[j] * inverse * s[j] }
                } else {
                    for j in 0..<n { y[j] = x[j] * inverse }
                }
            }
        }
    }
}
