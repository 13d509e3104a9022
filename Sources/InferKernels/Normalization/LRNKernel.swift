/// Local response normalization across channels of `[batch, channels, inner]`:
/// y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta, the window being
/// channels c - floor((size-1)/2) ... c + ceil((size-1)/2).
package enum LRNKernel {
    package static func lrn(_ src: UnsafePointer<Float>, batch: Int, channels: Int, inner: Int, size: Int,
                            alpha: Float, beta: Float, bias: Float, into dst: UnsafeMutablePointer<Float>) {
        run(src, batch, channels, inner, size, alpha, beta, bias, dst)
    }

    package static func lrn(_ src: UnsafePointer<Double>, batch: Int, channels: Int, inner: Int, size: Int,
                            alpha: Double, beta: Double, bias: Double, into dst: UnsafeMutablePointer<Double>) {
        run(src, batch, channels, inner, size, alpha, beta, bias, dst)
    }

    private static func run<T: KernelFloat>(_ src: UnsafePointer<T>, _ batch: Int, _ channels: Int, _ inner: Int,
                                            _ size: Int, _ alpha: T, _ beta: T, _ bias: T,
                                            _ dst: UnsafeMutablePointer<T>) {
        guard inner > 0 else { return }
        let before = (size - 1) / 2, after = size - 1 - before
        let squares = UnsafeMutablePointer<T>.allocate(capacity: inner)
        defer { squares.deallocate() }
        let coefficient = alpha / T(size)
        for n in 0..<batch {
            let x = src + n * channels * inner, y = dst + n * channels * inner
            for c in 0..<channels {
                squares.update(repeating: 0, count: inner)
                for w in max(0, c - before)...min(channels - 1, c + after) {
                    let row = x + w * inner
                    for i in 0..<inner { squares[i] += row[i] * row[i] }
                }
                let xc = x + c * inner, yc = y + c * inner
                for i in 0..<inner { yc[i] = xc[i] / T.power(bias + coefficient * squares[i], beta) }
            }
        }
    }
}
