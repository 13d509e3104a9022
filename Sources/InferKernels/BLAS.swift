import COpenBLAS

/// GEMM/GEMV on row-major matrices: C = alpha * op(A) * op(B) + beta * C.
/// The one place (with `BLASCore`) that talks to OpenBLAS. OpenBLAS runs single-threaded;
/// `threads` spreads a call over the engine's threads (BLASThreadSplit.swift). Float and Double share every
/// function (`BLASScalar` picks the s- or d-routine). The raw `rawGemm`/`rawGemv` wrappers take
/// only dims that fit cblas' 32-bit ints; `gemm` splits larger ones (BLASLargeShapes.swift).
package enum BLAS {
    /// Up to this many rows a GEMM runs as one GEMV per row (see `gemm`).
    package static let smallRowsAsGEMV = 4

    /// The row stride to store a constant B with: its own, unless that is a multiple of
    /// 1024 floats (4 KiB), where OpenBLAS' packing of B reads rows that all map to the same
    /// cache sets. 16 floats more (one cache line) breaks that. `cblas_sgemm` with one
    /// OpenBLAS thread, Cooperlake core, AMD EPYC (Zen 4) VM, best of 7, ms, stride 1024 /
    /// 1040 (B = [N,K] transposed unless said):
    ///
    /// | M×N×K | own stride | padded |
    /// |---|---:|---:|
    /// | 8×1024×1024 | 0.84 | 0.38 |
    /// | 8×1024×1024, B = [K,N] | 0.54 | 0.34 |
    /// | 64×1024×1024 | 2.21 | 1.77 |
    /// | 8×768×3072 (BERT FFN out) | 1.95 | 1.04 |
    /// | 128×768×3072 | 7.65 | 6.36 |
    /// | 8×2048×2048 | 3.80 | 2.52 |
    ///
    /// Strides that are not 4 KiB multiples (768, 784, 3072 = [K,N] with N=768) measured within noise.
    package static func paddedLeadingDimension(_ ld: Int) -> Int {
        ld > 0 && ld % 1024 == 0 ? ld + 16 : ld
    }

    /// cblas ?gemm for Float or Double, on the caller's thread.
    package static func rawGemm<T: BLASScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                               a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                               beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        T.cblasGemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y = alpha * op(A) * x + beta * y, A row-major `rows` x `cols` (cblas ?gemv, on the caller's thread).
    package static func rawGemv<T: BLASScalar>(trans: Bool, rows: Int, cols: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                               x: UnsafePointer<T>, incx: Int, beta: T, y: UnsafeMutablePointer<T>, incy: Int) {
        T.cblasGemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols), alpha, a, Int32(lda),
                    x, Int32(incx), beta, y, Int32(incy))
    }

    /// GEMM that picks the fastest BLAS call for the shape: GEMV when M == 1 (batch-1
    /// inference, ~6x faster than sgemm) or N == 1, nothing for empty shapes, and a
    /// plain scale of C when K == 0. Leading dimensions may be anything valid for the shape.
    /// Shapes beyond cblas' 32-bit ints are split (`splitGemm`); `limit` is for tests. `threads`
    /// is how many of the engine's threads the call may use. `record` false keeps the call out
    /// of a `GemmRecorder` recording: a kernel computing one part of a larger product records
    /// that product itself.
    /// `@_specialize` gives callers in other modules (which only see the generic) a Float and a
    /// Double copy, chosen at entry, so the dispatch and the clearing loops run specialized.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func gemm<T: BLASScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                            a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                            beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int = 1,
                                            record: Bool = true, limit: Int = maxDim) {
        if m == 0 || n == 0 { return }
        if record, GemmRecorder.isRecording {
            GemmRecorder.record([GemmRecorder.Shape(transA: transA, transB: transB, m: m, n: n, k: k)], threads: threads)
        }
        if exceeds(limit, m, n, k, lda, ldb, ldc) {
            splitGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: c, ldc: ldc, limit: limit) {
                gemm(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10,
                     c: $11, ldc: $12, threads: threads, record: false, limit: limit)
            }
            return
        }
        if k == 0 {
            scaleMatrix(c, rows: m, cols: n, ld: ldc, by: beta)
            return
        }
        // GEMV with beta 0 scales y by 0 first, which keeps a NaN already there: clear y so that
        // C's previous contents never matter (callers skip zero-filling outputs relying on that).
        if beta == 0, m <= smallRowsAsGEMV || n == 1 { clear(c, rows: m, cols: n, ld: ldc) }
        if m > 1, m <= smallRowsAsGEMV, n > 1 {
            // A few rows (batch 2-4): one GEMV per row streams op(B) once per row; OpenBLAS'
            // sgemm repacks all of B for every call, which at these M costs ~6x more (measured
            // on a 784x1024 layer: M=2 took 0.49 ms as sgemm, M=1 0.08 ms as GEMV).
            for row in 0..<m {
                let aRow = transA ? a + row : a + row * lda
                gemm(transA: transA, transB: transB, m: 1, n: n, k: k, alpha: alpha, a: aRow, lda: lda, b: b, ldb: ldb,
                     beta: beta, c: c + row * ldc, ldc: ldc, threads: threads, record: false, limit: limit)
            }
        } else if m == 1 {
            // Row vector a (stride lda when A is stored K x 1) times op(B).
            let incA = transA ? lda : 1
            if transB {
                threadedGemv(trans: false, rows: n, cols: k, alpha: alpha, a: b, lda: ldb, x: a, incx: incA, beta: beta,
                             y: c, incy: 1, threads: threads)
            } else {
                threadedGemv(trans: true, rows: k, cols: n, alpha: alpha, a: b, lda: ldb, x: a, incx: incA, beta: beta,
                             y: c, incy: 1, threads: threads)
            }
        } else if n == 1 {
            // op(A) times column vector b; C's column has stride ldc.
            let incB = transB ? 1 : ldb
            if transA {
                threadedGemv(trans: true, rows: k, cols: m, alpha: alpha, a: a, lda: lda, x: b, incx: incB, beta: beta,
                             y: c, incy: ldc, threads: threads)
            } else {
                threadedGemv(trans: false, rows: m, cols: k, alpha: alpha, a: a, lda: lda, x: b, incx: incB, beta: beta,
                             y: c, incy: ldc, threads: threads)
            }
        } else {
            threadedGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                         beta: beta, c: c, ldc: ldc, threads: threads)
        }
    }

    /// Strided batch of GEMMs sharing one shape: batch i reads A at `aOffsets[i]`, B at
    /// `bOffsets[i]` (elements; broadcast batches repeat an offset) and writes C at i * m * ldc.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func gemmBatched<T: BLASScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                                   a: UnsafePointer<T>, lda: Int, aOffsets: [Int],
                                                   b: UnsafePointer<T>, ldb: Int, bOffsets: [Int],
                                                   beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int = 1) {
        precondition(aOffsets.count == bOffsets.count, "batch offset lists differ in length")
        for i in 0..<aOffsets.count {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a + aOffsets[i], lda: lda,
                 b: b + bOffsets[i], ldb: ldb, beta: beta, c: c + i * m * ldc, ldc: ldc, threads: threads)
        }
    }

    private static func clear<T: FloatingPoint>(_ c: UnsafeMutablePointer<T>, rows: Int, cols: Int, ld: Int) {
        for i in 0..<rows { (c + i * ld).update(repeating: 0, count: cols) }
    }

    private static func scaleMatrix<T: FloatingPoint>(_ c: UnsafeMutablePointer<T>, rows: Int, cols: Int, ld: Int, by beta: T) {
        for i in 0..<rows {
            let row = c + i * ld
            for j in 0..<cols { row[j] = beta == 0 ? 0 : row[j] * beta }
        }
    }
}

/// The element types OpenBLAS computes in (Float: the s-routines, Double: the d-routines), so
/// that one generic `BLAS.gemm` serves both.
package protocol BLASScalar: BinaryFloatingPoint {
    static var cblasGemm: CBLASGemm<Self> { get }
    static var cblasGemv: CBLASGemv<Self> { get }
}

/// `cblas_?gemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)`.
package typealias CBLASGemm<T> = (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, T,
                                  UnsafePointer<T>?, Int32, UnsafePointer<T>?, Int32, T, UnsafeMutablePointer<T>?, Int32) -> Void
/// `cblas_?gemv(order, trans, rows, cols, alpha, a, lda, x, incx, beta, y, incy)`.
package typealias CBLASGemv<T> = (CBLAS_ORDER, CBLAS_TRANSPOSE, Int32, Int32, T, UnsafePointer<T>?, Int32,
                                  UnsafePointer<T>?, Int32, T, UnsafeMutablePointer<T>?, Int32) -> Void

extension Float: BLASScalar {
    package static var cblasGemm: CBLASGemm<Float> { cblas_sgemm }
    package static var cblasGemv: CBLASGemv<Float> { cblas_sgemv }
}

extension Double: BLASScalar {
    package static var cblasGemm: CBLASGemm<Double> { cblas_dgemm }
    package static var cblasGemv: CBLASGemv<Double> { cblas_dgemv }
}
