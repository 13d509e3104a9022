/// CumSum along one axis (`[outer, axisSize, inner]`), inclusive or exclusive, forward or reversed.
/// A running row of `inner` sums keeps the inner loop contiguous.
package enum CumSumKernel {
    /// Inclusive (or `exclusive`) running sums, in either direction; specialized per element type.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    package static func cumSum<T: ReductionScalar>(_ src: UnsafePointer<T>, outer: Int, axisSize: Int, inner: Int, exclusive: Bool,
                                                   reverse: Bool, into dst: UnsafeMutablePointer<T>) {
        run(src, outer, axisSize, inner, exclusive, reverse, dst)
    }

    private static func run<T: ReductionScalar>(_ src: UnsafePointer<T>, _ outer: Int, _ n: Int, _ inner: Int,
                                                _ exclusive: Bool, _ reverse: Bool, _ dst: UnsafeMutablePointer<T>) {
        guard inner > 0, n > 0 else { return }
        let running = UnsafeMutablePointer<T>.allocate(capacity: inner)
        defer { running.deallocate() }
        for o in 0..<outer {
            running.initialize(repeating: T.additiveIdentity, count: inner)
            for step in 0..<n {
                let k = reverse ? n - 1 - step : step
                let x = src + (o * n + k) * inner
                let y = dst + (o * n + k) * inner
                if exclusive {
                    for i in 0..<inner { y[i] = running[i]; running[i] = T.plus(running[i], x[i]) }
                } else {
                    for i in 0..<inner { running[i] = T.plus(running[i], x[i]); y[i] = running[i] }
                }
            }
        }
    }
}
