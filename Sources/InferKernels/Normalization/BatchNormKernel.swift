/// Inference BatchNormalization as a per-channel affine map over `[batch, channels, inner]`:
/// y = x * multiplier + offset, with multiplier = scale / sqrt(var + eps) and
/// offset = bias - mean * multiplier folded once per channel up front.
package enum BatchNormKernel {
    /// `scale`, `bias`, `mean`, `variance` hold `channels * paramsPerChannel` values:
    /// `paramsPerChannel` is 1, or `inner` for the old `spatial = 0` mode (one set per location).
    /// Specialized for Float and Double (see `ReductionScalar` on `@_specialize`).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func batchNorm<T: KernelFloat>(_ src: UnsafePointer<T>, batch: Int, channels: Int, inner: Int,
                                                  scale: UnsafePointer<T>, bias: UnsafePointer<T>,
                                                  mean: UnsafePointer<T>, variance: UnsafePointer<T>,
                                                  paramsPerChannel: Int, epsilon: T, into dst: UnsafeMutablePointer<T>,
                                                  threads: Int = 1) {
        run(src, batch, channels, inner, scale, bias, mean, variance, paramsPerChannel, epsilon, dst, threads)
    }

    private static func run<T: KernelFloat>(_ src: UnsafePointer<T>, _ batch: Int, _ channels: Int, _ inner: Int,
                                            _ scale: UnsafePointer<T>, _ bias: UnsafePointer<T>,
                                            _ mean: UnsafePointer<T>, _ variance: UnsafePointer<T>,
                                            _ perChannel: Int, _ epsilon: T, _ dst: UnsafeMutablePointer<T>,
                                            _ threads: Int) {
        let count = channels * perChannel
        let multiplier = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        let offset = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        defer { multiplier.deallocate(); offset.deallocate() }
        coefficients(scale: scale, bias: bias, mean: mean, variance: variance, count: count, epsilon: epsilon,
                     multiplier: multiplier, offset: offset)
        affine(src, batch: batch, channels: channels, inner: inner, multiplier: multiplier, offset: offset,
               paramsPerChannel: perChannel, into: dst, threads: threads)
    }

    /// `multiplier = scale / sqrt(variance + epsilon)`, `offset = bias - mean * multiplier`:
    /// computed once by a prepared kernel whose parameters are constants.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func coefficients<T: KernelFloat>(scale: UnsafePointer<T>, bias: UnsafePointer<T>,
                                                     mean: UnsafePointer<T>, variance: UnsafePointer<T>, count: Int,
                                                     epsilon: T, multiplier: UnsafeMutablePointer<T>,
                                                     offset: UnsafeMutablePointer<T>) {
        for i in 0..<count {
            multiplier[i] = scale[i] / (variance[i] + epsilon).squareRoot()
            offset[i] = bias[i] - mean[i] * multiplier[i]
        }
    }

    /// `y = x * multiplier + offset` per channel (or per channel and position when
    /// `paramsPerChannel == inner`); allocates nothing.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func affine<T: KernelFloat>(_ src: UnsafePointer<T>, batch: Int, channels: Int, inner: Int,
                                               multiplier: UnsafePointer<T>, offset: UnsafePointer<T>,
                                               paramsPerChannel perChannel: Int, into dst: UnsafeMutablePointer<T>,
                                               threads: Int) {
        let planes = batch * channels
        ParallelFor.run(count: planes, work: planes * inner, threads: threads) { range in
            for plane in range {
                let c = plane % channels
                let x = src + plane * inner, y = dst + plane * inner
                if perChannel == 1 {
                    let a = multiplier[c], b = offset[c]
                    for i in 0..<inner { y[i] = x[i] * a + b }
                } else {
                    let a = multiplier + c * inner, b = offset + c * inner
                    for i in 0..<inner { y[i] = x[i] * a[i] + b[i] }
                }
            }
        }
    }
}
