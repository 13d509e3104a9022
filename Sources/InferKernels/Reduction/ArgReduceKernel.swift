/// ArgMax / ArgMin along one axis, iterated as `[outer, reduced, inner]` so the inner loop is
/// contiguous. Ties go to the first index, or the last with `selectLast`.
package enum ArgReduceKernel {
    /// One entry for all four element types (`@_specialize`: see `ReductionScalar`).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    package static func argReduce<T: Comparable>(_ src: UnsafePointer<T>, outer: Int, reduced: Int, inner: Int, findMax: Bool,
                                                 selectLast: Bool, into dst: UnsafeMutablePointer<Int64>) {
        run(src, outer, reduced, inner, findMax, selectLast, dst)
    }

    private static func run<T: Comparable>(_ src: UnsafePointer<T>, _ outer: Int, _ reduced: Int, _ inner: Int,
                                           _ findMax: Bool, _ selectLast: Bool, _ dst: UnsafeMutablePointer<Int64>) {
        guard reduced > 0 else { return }
        // `better(candidate, best)`: strictly better, or equal when the last index wins.
        switch (findMax, selectLast) {
        case (true, false): scan(src, outer, reduced, inner, dst) { $0 > $1 }
        case (true, true): scan(src, outer, reduced, inner, dst) { $0 >= $1 }
        case (false, false): scan(src, outer, reduced, inner, dst) { $0 < $1 }
        case (false, true): scan(src, outer, reduced, inner, dst) { $0 <= $1 }
        }
    }

    @inline(__always)
    private static func scan<T>(_ src: UnsafePointer<T>, _ outer: Int, _ reduced: Int, _ inner: Int,
                                _ dst: UnsafeMutablePointer<Int64>, _ better: (T, T) -> Bool) {
        let best = UnsafeMutablePointer<T>.allocate(capacity: inner)
        defer { best.deinitialize(count: inner); best.deallocate() }
        for o in 0..<outer {
            let block = src + o * reduced * inner
            let out = dst + o * inner
            best.initialize(from: block, count: inner)
            for i in 0..<inner { out[i] = 0 }
            for k in 1..<max(reduced, 1) {
                let row = block + k * inner
                for i in 0..<inner where better(row[i], best[i]) {
                    best[i] = row[i]
                    out[i] = Int64(k)
                }
            }
            best.deinitialize(count: inner)
        }
    }
}
