/// Group (and instance) normalization over `[batch, channels, inner]`: statistics per batch item
/// per group of `channels / groups` consecutive channels, then a per-channel scale and bias.
/// InstanceNormalization is the case groups == channels.
package enum GroupNormKernel {
    package static func groupNorm(_ src: UnsafePointer<Float>, batch: Int, channels: Int, inner: Int, groups: Int,
                                  scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float,
                                  into dst: UnsafeMutablePointer<Float>, threads: Int = 1) {
        run(src, batch, channels, inner, groups, scale, bias, epsilon, dst, threads)
    }

    package static func groupNorm(_ src: UnsafePointer<Double>, batch: Int, channels: Int, inner: Int, groups: Int,
                                  scale: UnsafePointer<Double>, bias: UnsafePointer<Double>, epsilon: Double,
                                  into dst: UnsafeMutablePointer<Double>, threads: Int = 1) {
        run(src, batch, channels, inner, groups, scale, bias, epsilon, dst, threads)
    }

    private static func run<T: KernelFloat>(_ src: UnsafePointer<T>, _ batch: Int, _ channels: Int, _ inner: Int,
                                            _ groups: Int, _ scale: UnsafePointer<T>, _ bias: UnsafePointer<T>,
                                            _ epsilon: T, _ dst: UnsafeMutablePointer<T>, _ threads: Int) {
        guard groups > 0, channels % groups == 0 else { return }
        let perGroup = channels / groups
        let blocks = batch * groups
        let blockSize = perGroup * inner
        ParallelFor.run(count: blocks, work: blocks * blockSize, threads: threads) { range in
            for block in range {
                let x = src + block * blockSize, y = dst + block * blockSize
                let (mean, inverseStd) = RowStatistics.meanAndInverseStd(x, blockSize, epsilon: epsilon)
                let firstChannel = (block % groups) * perGroup
                for local in 0..<perGroup {
                    let c = firstChannel + local
                    let a = scale[c] * inverseStd, b = bias[c] - mean * a
                    let xc = x + local * inner, yc = y + local * inner
                    for i in 0..<inner { yc[i] = xc[i] * a + b }
                }
            }
        }
    }
}
