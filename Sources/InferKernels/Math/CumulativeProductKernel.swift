/// CumProd along one axis (`[outer, axisSize, inner]`), inclusive or exclusive, forward or reversed;
/// a running row of `inner` products keeps the inner loop contiguous. Integers wrap.
package enum CumulativeProductKernel {
    package static func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, outer: Int, axisSize: Int,
                              inner: Int, exclusive: Bool, reverse: Bool) {
        run(src, dst, outer, axisSize, inner, exclusive, reverse, times: *)
    }
    package static func apply(_ src: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>, outer: Int, axisSize: Int,
                              inner: Int, exclusive: Bool, reverse: Bool) {
        run(src, dst, outer, axisSize, inner, exclusive, reverse, times: *)
    }
    package static func apply(_ src: UnsafePointer<Int64>, _ dst: UnsafeMutablePointer<Int64>, outer: Int, axisSize: Int,
                              inner: Int, exclusive: Bool, reverse: Bool) {
        run(src, dst, outer, axisSize, inner, exclusive, reverse, times: &*)
    }
    package static func apply(_ src: UnsafePointer<Int32>, _ dst: UnsafeMutablePointer<Int32>, outer: Int, axisSize: Int,
                              inner: Int, exclusive: Bool, reverse: Bool) {
        run(src, dst, outer, axisSize, inner, exclusive, reverse, times: &*)
    }

    @inline(__always)
    private static func run<T: Numeric>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, _ outer: Int, _ n: Int,
                                        _ inner: Int, _ exclusive: Bool, _ reverse: Bool, times: (T, T) -> T) {
        guard inner > 0, n > 0 else { return }
        let running = UnsafeMutablePointer<T>.allocate(capacity: inner)
        defer { running.deallocate() }
        for o in 0..<outer {
            running.initialize(repeating: 1, count: inner)
            for step in 0..<n {
                let k = reverse ? n - 1 - step : step
                let x = src + (o * n + k) * inner, y = dst + (o * n + k) * inner
                if exclusive {
                    for i in 0..<inner { y[i] = running[i]; running[i] = times(running[i], x[i]) }
                } else {
                    for i in 0..<inner { running[i] = times(running[i], x[i]); y[i] = running[i] }
                }
            }
        }
    }
}
