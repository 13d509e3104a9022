/// A GEMM's output C (M x N) cut into one part per thread along its longer side: the one split
/// every multi-threaded GEMM uses (`BLAS.threadedGemm`, and convolutions that build and finish
/// their own parts). Each part repacks the operand the parts share, and cutting C's long side
/// keeps that operand the small one (measurements in BLASThreadSplit.swift).
///
/// A convolution runs each part start to finish on one thread: its im2col columns, its GEMM,
/// then its epilogue (bias, activation, residual) while the part is in that core's cache, with
/// no second pass or second hand-off to the pool. Cutting parts further, into L2-sized blocks,
/// did not pay on the AMD EPYC (Zen, AVX2) VM of 2026-12-02: with 256 KB blocks ResNet-18 went
/// from 103 to 182 ms p50 at one thread (OpenBLAS' kernel is slower on 64-row or 96-column
/// calls with K in the thousands) and MobileNetV2, EfficientNet-B0 and ResNet-50 did not move
/// beyond noise.
package struct GemmParts: Sendable {
    /// Parts are a multiple of this many rows or columns (the SkylakeX sgemm kernel's tile).
    static let alignment = 16

    /// True when C is cut into column ranges (N > M), false for row ranges.
    package let cutsColumns: Bool
    /// Number of parts: one per thread when the GEMM is big enough to split, else 1.
    package let count: Int
    private let m: Int
    private let n: Int
    private let units: Int
    private let work: Int

    /// Parts of C = op(A)(M x K) op(B)(K x N) for `threads` threads; one part when the work
    /// (M * N * K multiply-adds) is below `ParallelFor.minimumParallelWork`.
    package init(m: Int, n: Int, k: Int, threads: Int) {
        self.m = m
        self.n = n
        cutsColumns = n > m
        let length = cutsColumns ? n : m
        units = (length + Self.alignment - 1) / Self.alignment
        work = m * n * k
        let splits = threads > 1 && work >= ParallelFor.minimumParallelWork
        count = max(1, min(splits ? threads : 1, units))
    }

    /// Rows and columns of C in part `p`.
    package func part(_ p: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let length = cutsColumns ? n : m
        let start = min(length, units * p / count * Self.alignment)
        let end = min(length, units * (p + 1) / count * Self.alignment)
        return cutsColumns ? (0..<m, start..<end) : (start..<end, 0..<n)
    }

    /// `body(rows, columns)` for every part, one part per thread of the engine's pool.
    package func forEach(threads: Int, _ body: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void) {
        if count == 1 {
            body(0..<m, 0..<n)
            return
        }
        ParallelFor.run(count: count, work: work, threads: threads, chunksPerThread: 1) { parts in
            for p in parts {
                let (rows, columns) = part(p)
                if !rows.isEmpty && !columns.isEmpty { body(rows, columns) }
            }
        }
    }
}
