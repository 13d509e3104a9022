import CInferSIMD
/// Softmax / LogSoftmax over the middle dim of `[outer, n, inner]`, numerically stable
/// (the max is subtracted before exponentiating). `inner == 1` (the last axis, the transformer
/// case) runs on contiguous rows; otherwise the inner dim is the contiguous loop.
package enum SoftmaxKernel {
    package static func softmax(_ src: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, logarithmic: Bool,
                                into dst: UnsafeMutablePointer<Float>, threads: Int = 1) {
        if inner == 1, n > 0, !logarithmic {
            // The transformer case: rows with a vectorized exp (libm's expf was ~5 ns per element).
            ParallelFor.run(count: outer, work: outer * n * ParallelFor.transcendentalCost, threads: threads) { rows in
                for o in rows { vectorRow(src + o * n, n, dst + o * n) }
            }
            return
        }
        run(src, outer, n, inner, logarithmic, dst, threads)
    }

    /// One contiguous Float row: max, then exp(x - max) and its sum sixteen at a time, then scale.
    @inline(__always)
    private static func vectorRow(_ x: UnsafePointer<Float>, _ n: Int, _ y: UnsafeMutablePointer<Float>) {
        // CInferSIMD's row (the Swift SIMD16 code below compiles to SSE2 and runs exp at a third of
        // the rate): it declines rows whose largest value is not finite, which go on below.
        switch SIMDKernels.level {
        case .avx512: if cinfer_softmax_row_avx512(x, y, n) == 1 { return }
        case .avx2: if cinfer_softmax_row_avx2(x, y, n) == 1 { return }
        case .baseline: break
        }
        typealias V = SIMD16<Float>
        // Max sixteen at a time with blends. A NaN may or may not win here; either way exp(x - m)
        // turns the row to NaN, as the scalar path does.
        var maxes = V(repeating: -.infinity)
        var j = 0
        while j + 16 <= n {
            let v = UnsafeRawPointer(x + j).loadUnaligned(as: V.self)
            maxes.replace(with: v, where: v .> maxes)
            j += 16
        }
        var m = -Float.infinity
        for k in 0..<16 where maxes[k] > m { m = maxes[k] }
        while j < n { if x[j] > m { m = x[j] }; j += 1 }
        if m == .infinity || m == -.infinity {
            slowRow(x, n, 1, false, y, m)
            return
        }
        var sums = V()
        j = 0
        while j + 16 <= n {
            let e = VectorMath.exp(UnsafeRawPointer(x + j).loadUnaligned(as: V.self) - m)
            UnsafeMutableRawPointer(y + j).storeBytes(of: e, as: V.self)
            sums += e
            j += 16
        }
        var sum = sums.sum()
        if j < n {
            var v = V(repeating: -.infinity)
            for k in 0..<(n - j) { v[k] = x[j + k] - m }
            let e = VectorMath.exp(v)
            for k in 0..<(n - j) { y[j + k] = e[k]; sum += e[k] }
        }
        let scale = 1 / sum
        j = 0
        while j + 16 <= n {
            let v = UnsafeRawPointer(y + j).loadUnaligned(as: V.self) * scale
            UnsafeMutableRawPointer(y + j).storeBytes(of: v, as: V.self)
            j += 16
        }
        while j < n { y[j] *= scale; j += 1 }
    }

    package static func softmax(_ src: UnsafePointer<Double>, outer: Int, n: Int, inner: Int, logarithmic: Bool,
                                into dst: UnsafeMutablePointer<Double>, threads: Int = 1) {
        run(src, outer, n, inner, logarithmic, dst, threads)
    }

    private static func run<T: KernelFloat>(_ src: UnsafePointer<T>, _ outer: Int, _ n: Int, _ inner: Int,
                                            _ logarithmic: Bool, _ dst: UnsafeMutablePointer<T>, _ threads: Int) {
        guard n > 0, inner > 0 else { return }
        ParallelFor.run(count: outer, work: outer * n * inner * ParallelFor.transcendentalCost, threads: threads) { rows in
            if inner == 1 {
                for o in rows { contiguousRow(src + o * n, n, logarithmic, dst + o * n) }
            } else {
                let scratch = UnsafeMutablePointer<T>.allocate(capacity: 2 * inner)
                defer { scratch.deallocate() }
                for o in rows {
                    stridedBlock(src + o * n * inner, n, inner, logarithmic, dst + o * n * inner, scratch)
                }
            }
        }
    }

    @inline(__always)
    private static func contiguousRow<T: KernelFloat>(_ x: UnsafePointer<T>, _ n: Int, _ logarithmic: Bool,
                                                      _ y: UnsafeMutablePointer<T>) {
        let m = RowStatistics.max(x, n)
        if m == .infinity || m == -.infinity {
            // All -inf (0/0) or an +inf entry: what exp(x - max) would give, done by hand.
            slowRow(x, n, 1, logarithmic, y, m)
            return
        }
        var sum: T = 0
        for j in 0..<n {
            let e = T.exponential(x[j] - m)
            y[j] = e
            sum += e
        }
        if logarithmic {
            // (x - max) - log(sum): adding log(sum) to a large max first would round it away.
            let logSum = T.logarithm(sum)
            for j in 0..<n { y[j] = (x[j] - m) - logSum }
        } else {
            let scale = 1 / sum
            for j in 0..<n { y[j] *= scale }
        }
    }

    /// One `[n, inner]` block: max and sum rows of `inner` accumulated across the n rows.
    @inline(__always)
    private static func stridedBlock<T: KernelFloat>(_ x: UnsafePointer<T>, _ n: Int, _ inner: Int, _ logarithmic: Bool,
                                                     _ y: UnsafeMutablePointer<T>, _ scratch: UnsafeMutablePointer<T>) {
        let maxRow = scratch, sumRow = scratch + inner
        for i in 0..<inner { maxRow[i] = x[i]; sumRow[i] = 0 }
        for k in 1..<n {
            let row = x + k * inner
            for i in 0..<inner { maxRow[i] = Swift.max(maxRow[i], row[i]) }
        }
        for k in 0..<n {
            let row = x + k * inner, out = y + k * inner
            for i in 0..<inner {
                let e = T.exponential(row[i] - maxRow[i])
                out[i] = e
                sumRow[i] += e
            }
        }
        for i in 0..<inner {
            let m = maxRow[i]
            if m.isInfinite || m.isNaN { slowRow(x + i, n, inner, logarithmic, y + i, m) }
        }
        if logarithmic {
            for i in 0..<inner { sumRow[i] = T.logarithm(sumRow[i]) }
            for k in 0..<n {
                let row = x + k * inner, out = y + k * inner
                for i in 0..<inner where maxRow[i].isFinite { out[i] = (row[i] - maxRow[i]) - sumRow[i] }
            }
        } else {
            for i in 0..<inner { sumRow[i] = 1 / sumRow[i] }
            for k in 0..<n {
                let out = y + k * inner
                for i in 0..<inner where maxRow[i].isFinite { out[i] *= sumRow[i] }
            }
        }
    }

    /// Rows whose max is not finite: +inf entries share the mass (others get 0), an all -inf
    /// row is NaN (0/0, as ONNX Runtime gives), a NaN max poisons the row.
    private static func slowRow<T: KernelFloat>(_ x: UnsafePointer<T>, _ n: Int, _ stride: Int, _ logarithmic: Bool,
                                                _ y: UnsafeMutablePointer<T>, _ m: T) {
        var infinities = 0
        if m == .infinity { for k in 0..<n where x[k * stride] == .infinity { infinities += 1 } }
        for k in 0..<n {
            let v = x[k * stride]
            let p: T = m == .infinity ? (v == .infinity ? 1 / T(infinities) : 0) : .nan
            y[k * stride] = logarithmic ? (p == 0 ? -.infinity : T.logarithm(p)) : p
        }
    }
}
