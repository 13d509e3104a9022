/// Contiguous-row helpers shared by the normalization kernels: max, sum and centered sum of
/// squares with eight independent accumulators (so the loops pipeline and vectorize).
enum RowStatistics {
    @inline(__always)
    static func max<T: KernelFloat>(_ p: UnsafePointer<T>, _ n: Int) -> T {
        var m0 = -T.infinity, m1 = -T.infinity, m2 = -T.infinity, m3 = -T.infinity
        var k = 0
        while k + 4 <= n {
            m0 = Swift.max(m0, p[k]); m1 = Swift.max(m1, p[k + 1])
            m2 = Swift.max(m2, p[k + 2]); m3 = Swift.max(m3, p[k + 3])
            k += 4
        }
        while k < n { m0 = Swift.max(m0, p[k]); k += 1 }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }

    @inline(__always)
    static func sum<T: KernelFloat>(_ p: UnsafePointer<T>, _ n: Int) -> T {
        var a0: T = 0, a1: T = 0, a2: T = 0, a3: T = 0, a4: T = 0, a5: T = 0, a6: T = 0, a7: T = 0
        var k = 0
        while k + 8 <= n {
            a0 += p[k]; a1 += p[k + 1]; a2 += p[k + 2]; a3 += p[k + 3]
            a4 += p[k + 4]; a5 += p[k + 5]; a6 += p[k + 6]; a7 += p[k + 7]
            k += 8
        }
        while k < n { a0 += p[k]; k += 1 }
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
    }

    /// Sum of (x - mean)^2: the two-pass variance, stable where E[x^2] - E[x]^2 is not.
    @inline(__always)
    static func centeredSquareSum<T: KernelFloat>(_ p: UnsafePointer<T>, _ n: Int, mean: T) -> T {
        var a0: T = 0, a1: T = 0, a2: T = 0, a3: T = 0, a4: T = 0, a5: T = 0, a6: T = 0, a7: T = 0
        var k = 0
        while k + 8 <= n {
            let d0 = p[k] - mean, d1 = p[k + 1] - mean, d2 = p[k + 2] - mean, d3 = p[k + 3] - mean
            let d4 = p[k + 4] - mean, d5 = p[k + 5] - mean, d6 = p[k + 6] - mean, d7 = p[k + 7] - mean
            a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3
            a4 += d4 * d4; a5 += d5 * d5; a6 += d6 * d6; a7 += d7 * d7
            k += 8
        }
        while k < n { let d = p[k] - mean; a0 += d * d; k += 1 }
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
    }

    /// Mean and 1/sqrt(variance + epsilon) of a contiguous run (population variance).
    @inline(__always)
    static func meanAndInverseStd<T: KernelFloat>(_ p: UnsafePointer<T>, _ n: Int, epsilon: T) -> (T, T) {
        let count = T(Swift.max(n, 1))
        let mean = sum(p, n) / count
        let variance = centeredSquareSum(p, n, mean: mean) / count
        return (mean, 1 / (variance + epsilon).squareRoot())
    }
}
