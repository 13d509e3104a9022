import COpenBLAS

/// GEMM/GEMV on row-major matrices: C = alpha * op(A) * op(B) + beta * C.
/// The one place (with `BLASCore`) that talks to OpenBLAS. OpenBLAS' thread count is
/// process-wide and set elsewhere: nothing here changes it. The raw `sgemm`/`dgemm`/`sgemv`/
/// `dgemv` wrappers take only dims that fit cblas' 32-bit ints; `gemm` splits larger ones
/// (BLASLargeShapes.swift).
package enum BLAS {
    /// Up to this many rows a float GEMM runs as one GEMV per row (see `gemm`).
    package static let smallRowsAsGEMV = 4

    package static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        BLASLock.serialized {
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    package static func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                              a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                              beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        BLASLock.serialized {
            cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// y = alpha * op(A) * x + beta * y, A row-major `rows` x `cols`.
    package static func sgemv(trans: Bool, rows: Int, cols: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                              x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int) {
        BLASLock.serialized {
            cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols), alpha, a, Int32(lda),
                        x, Int32(incx), beta, y, Int32(incy))
        }
    }

    package static func dgemv(trans: Bool, rows: Int, cols: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                              x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int) {
        BLASLock.serialized {
            cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols), alpha, a, Int32(lda),
                        x, Int32(incx), beta, y, Int32(incy))
        }
    }

    /// GEMM that picks the fastest BLAS call for the shape: GEMV when M == 1 (batch-1
    /// inference, ~6x faster than sgemm) or N == 1, nothing for empty shapes, and a
    /// plain scale of C when K == 0. Leading dimensions may be anything valid for the shape.
    /// Shapes beyond cblas' 32-bit ints are split (`splitGemm`); `limit` is for tests.
    package static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, limit: Int = maxDim) {
        if m == 0 || n == 0 { return }
        if exceeds(limit, m, n, k, lda, ldb, ldc) {
            splitGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: c, ldc: ldc, limit: limit) {
                gemm(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12, limit: limit)
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
                     beta: beta, c: c + row * ldc, ldc: ldc, limit: limit)
            }
        } else if m == 1 {
            // Row vector a (stride lda when A is stored K x 1) times op(B).
            let incA = transA ? lda : 1
            if transB {
                sgemv(trans: false, rows: n, cols: k, alpha: alpha, a: b, lda: ldb, x: a, incx: incA, beta: beta, y: c, incy: 1)
            } else {
                sgemv(trans: true, rows: k, cols: n, alpha: alpha, a: b, lda: ldb, x: a, incx: incA, beta: beta, y: c, incy: 1)
            }
        } else if n == 1 {
            // op(A) times column vector b; C's column has stride ldc.
            let incB = transB ? 1 : ldb
            if transA {
                sgemv(trans: true, rows: k, cols: m, alpha: alpha, a: a, lda: lda, x: b, incx: incB, beta: beta, y: c, incy: ldc)
            } else {
                sgemv(trans: false, rows: m, cols: k, alpha: alpha, a: a, lda: lda, x: b, incx: incB, beta: beta, y: c, incy: ldc)
            }
        } else {
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                  beta: beta, c: c, ldc: ldc)
        }
    }

    /// Double-precision twin of `gemm(...)` for Float.
    package static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                             a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                             beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, limit: Int = maxDim) {
        if m == 0 || n == 0 { return }
        if exceeds(limit, m, n, k, lda, ldb, ldc) {
            splitGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: c, ldc: ldc, limit: limit) {
                gemm(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12, limit: limit)
            }
            return
        }
        if k == 0 {
            scaleMatrix(c, rows: m, cols: n, ld: ldc, by: beta)
            return
        }
        if m == 1 {
            let incA = transA ? lda : 1
            if transB {
                dgemv(trans: false, rows: n, cols: k, alpha: alpha, a: b, lda: ldb, x: a, incx: incA, beta: beta, y: c, incy: 1)
            } else {
                dgemv(trans: true, rows: k, cols: n, alpha: alpha, a: b, lda: ldb, x: a, incx: incA, beta: beta, y: c, incy: 1)
            }
        } else if n == 1 {
            let incB = transB ? 1 : ldb
            if transA {
                dgemv(trans: true, rows: k, cols: m, alpha: alpha, a: a, lda: lda, x: b, incx: incB, beta: beta, y: c, incy: ldc)
            } else {
                dgemv(trans: false, rows: m, cols: k, alpha: alpha, a: a, lda: lda, x: b, incx: incB, beta: beta, y: c, incy: ldc)
            }
        } else {
            dgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                  beta: beta, c: c, ldc: ldc)
        }
    }

    /// Strided batch of GEMMs sharing one shape: batch i reads A at `aOffsets[i]`, B at
    /// `bOffsets[i]` (elements; broadcast batches repeat an offset) and writes C at i * m * ldc.
    package static func gemmBatched(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                    a: UnsafePointer<Float>, lda: Int, aOffsets: [Int],
                                    b: UnsafePointer<Float>, ldb: Int, bOffsets: [Int],
                                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(aOffsets.count == bOffsets.count, "batch offset lists differ in length")
        for i in 0..<aOffsets.count {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a + aOffsets[i], lda: lda,
                 b: b + bOffsets[i], ldb: ldb, beta: beta, c: c + i * m * ldc, ldc: ldc)
        }
    }

    package static func gemmBatched(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                                    a: UnsafePointer<Double>, lda: Int, aOffsets: [Int],
                                    b: UnsafePointer<Double>, ldb: Int, bOffsets: [Int],
                                    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        precondition(aOffsets.count == bOffsets.count, "batch offset lists differ in length")
        for i in 0..<aOffsets.count {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a + aOffsets[i], lda: lda,
                 b: b + bOffsets[i], ldb: ldb, beta: beta, c: c + i * m * ldc, ldc: ldc)
        }
    }

    private static func clear(_ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int) {
        for i in 0..<rows { (c + i * ld).update(repeating: 0, count: cols) }
    }

    private static func scaleMatrix<T: FloatingPoint>(_ c: UnsafeMutablePointer<T>, rows: Int, cols: Int, ld: Int, by beta: T) {
        for i in 0..<rows {
            let row = c + i * ld
            for j in 0..<cols { row[j] = beta == 0 ? 0 : row[j] * beta }
        }
    }
}
