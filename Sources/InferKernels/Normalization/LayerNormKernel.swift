/// LayerNormalization over contiguous rows of `[outer, n]`: y = (x - mean) / sqrt(var + eps) * scale + bias,
/// `scale` and `bias` (optional) hold `n` values. Per-row mean and 1/std go to `mean`/`inverseStd`
/// when given.
package enum LayerNormKernel {
    package static func layerNorm(_ src: UnsafePointer<Float>, outer: Int, n: Int, epsilon: Float,
                                  scale: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                  into dst: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>? = nil,
                                  inverseStd: UnsafeMutablePointer<Float>? = nil, threads: Int = 1) {
        run(src, outer, n, epsilon, scale, bias, dst, mean, inverseStd, threads)
    }

    package static func layerNorm(_ src: UnsafePointer<Double>, outer: Int, n: Int, epsilon: Double,
                                  scale: UnsafePointer<Double>?, bias: UnsafePointer<Double>?,
                                  into dst: UnsafeMutablePointer<Double>, mean: UnsafeMutablePointer<Double>? = nil,
                                  inverseStd: UnsafeMutablePointer<Double>? = nil, threads: Int = 1) {
        run(src, outer, n, epsilon, scale, bias, dst, mean, inverseStd, threads)
    }

    private static func run<T: KernelFloat>(_ src: UnsafePointer<T>, _ outer: Int, _ n: Int, _ epsilon: T,
                                            _ scale: UnsafePointer<T>?, _ bias: UnsafePointer<T>?,
                                            _ dst: UnsafeMutablePointer<T>, _ meanOut: UnsafeMutablePointer<T>?,
                                            _ inverseStdOut: UnsafeMutablePointer<T>?, _ threads: Int) {
        ParallelFor.run(count: outer, work: outer * n, threads: threads) { rows in
            for o in rows {
                let x = src + o * n, y = dst + o * n
                let count = T(Swift.max(n, 1))
                let mean = RowStatistics.sum(x, n) / count
                // Divide by the std (as the decomposed graph and ONNX Runtime do) rather than multiply
                // by its inverse: fused and unfused layer norms then agree to the bit.
                let std = (RowStatistics.centeredSquareSum(x, n, mean: mean) / count + epsilon).squareRoot()
                meanOut?[o] = mean
                inverseStdOut?[o] = 1 / std
                switch (scale, bias) {
                case let (s?, b?): for j in 0..<n { y[j] = (x[j] - mean) / std * s[j] + b[j] }
                case let (s?, nil): for j in 0..<n { y[j] = (x[j] - mean) / std * s[j] }
                case let (nil, b?): for j in 0..<n { y[j] = (x[j] - mean) / std + b[j] }
                case (nil, nil): for j in 0..<n { y[j] = (x[j] - mean) / std }
                }
            }
        }
    }
}
