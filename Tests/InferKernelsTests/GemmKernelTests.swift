import Testing
@testable import InferKernels

/// BLAS.gemm's routing (GEMV for M == 1 / N == 1, K == 0, leading dimensions wider than the
/// matrix) against a naive triple loop.
@Suite struct GemmKernelTests {
    static func values(_ n: Int, _ seed: Int) -> [Float] { (0..<n).map { Float(($0 * 37 + seed * 11) % 19) / 9 - 1 } }

    struct Case: Sendable, CustomTestStringConvertible {
        var m: Int, n: Int, k: Int, transA: Bool, transB: Bool, pad: Int
        /// The largest dim handed to cblas: small values exercise the splitting done for shapes
        /// beyond cblas' 32-bit ints (and, when a leading dimension exceeds it, the plain loop).
        var limit = BLAS.maxDim
        var testDescription: String { "M\(m) N\(n) K\(k) tA\(transA) tB\(transB) pad\(pad)" + (limit == BLAS.maxDim ? "" : " limit\(limit)") }
    }

    // M 2...4 take the GEMV-per-row path, M 6 and 7 sgemm.
    static let cases: [Case] = [(3, 4, 5), (2, 7, 9), (4, 5, 3), (7, 4, 5), (1, 6, 5), (6, 1, 5), (1, 1, 4), (3, 4, 0)].flatMap { (m, n, k) in
        [false, true].flatMap { tA in [false, true].flatMap { tB in [0, 2].map { Case(m: m, n: n, k: k, transA: tA, transB: tB, pad: $0) } } }
    } + [(9, 3, 2, 4), (3, 2, 9, 4), (9, 5, 7, 3), (6, 7, 5, 2)].flatMap { (m, n, k, limit) in   // split m, split k, loop
        [false, true].flatMap { tA in [false, true].map { tB in Case(m: m, n: n, k: k, transA: tA, transB: tB, pad: 0, limit: limit) } }
    }

    @Test(arguments: cases)
    func floatMatchesNaive(c: Case) {
        // Stored shapes with `pad` extra columns so leading dimensions exceed the logical width.
        let (aRows, aCols) = c.transA ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.transB ? (c.n, c.k) : (c.k, c.n)
        let lda = aCols + c.pad, ldb = bCols + c.pad, ldc = c.n + c.pad
        let a = Self.values(max(1, aRows * lda), 1), b = Self.values(max(1, bRows * ldb), 2)
        var cm = Self.values(c.m * ldc, 3)
        let original = cm
        let alpha: Float = 1.5, beta: Float = 0.5
        BLAS.gemm(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: alpha, a: a, lda: max(1, lda),
                  b: b, ldb: max(1, ldb), beta: beta, c: &cm, ldc: ldc, limit: c.limit)
        for i in 0..<c.m {
            for j in 0..<c.n {
                var s: Float = 0
                for p in 0..<c.k {
                    s += (c.transA ? a[p * lda + i] : a[i * lda + p]) * (c.transB ? b[j * ldb + p] : b[p * ldb + j])
                }
                #expect(abs(cm[i * ldc + j] - (alpha * s + beta * original[i * ldc + j])) < 1e-4)
            }
            for j in c.n..<ldc { #expect(cm[i * ldc + j] == original[i * ldc + j], "padding columns untouched") }
        }
    }

    /// Shapes over the split threshold, so `threads` cuts them: rows (M >= N), columns, the GEMV
    /// paths (M == 1 cuts N, N == 1 cuts M), sizes that leave a ragged last part, padding.
    static let threadedCases: [Case] = [(96, 40, 160, 0), (40, 96, 160, 2), (1, 1000, 600, 0), (1000, 1, 600, 1),
                                        (3, 700, 300, 0), (50, 50, 300, 3)].flatMap { (m, n, k, pad) in
        [false, true].flatMap { tA in [false, true].map { tB in Case(m: m, n: n, k: k, transA: tA, transB: tB, pad: pad) } }
    }

    @Test(arguments: threadedCases, [2, 3])
    func threadedGemmMatchesNaiveAndOneThread(c: Case, threads: Int) {
        #expect(c.m * c.n * c.k >= ParallelFor.defaultMinimumParallelWork, "\(c) would not be split")
        let (aRows, aCols) = c.transA ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.transB ? (c.n, c.k) : (c.k, c.n)
        let lda = aCols + c.pad, ldb = bCols + c.pad, ldc = c.n + c.pad
        let a = Self.values(aRows * lda, 1), b = Self.values(bRows * ldb, 2)
        let original = Self.values(c.m * ldc, 3)
        var one = original, split = original
        BLAS.gemm(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: 1.5, a: a, lda: lda,
                  b: b, ldb: ldb, beta: 0.5, c: &one, ldc: ldc, threads: 1)
        BLAS.gemm(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: 1.5, a: a, lda: lda,
                  b: b, ldb: ldb, beta: 0.5, c: &split, ldc: ldc, threads: threads)
        var worstNaive: Float = 0, worstOne: Float = 0
        for i in 0..<c.m {
            for j in 0..<c.n {
                var s: Float = 0
                for p in 0..<c.k {
                    s += (c.transA ? a[p * lda + i] : a[i * lda + p]) * (c.transB ? b[j * ldb + p] : b[p * ldb + j])
                }
                let want = 1.5 * s + 0.5 * original[i * ldc + j]
                worstNaive = max(worstNaive, abs(split[i * ldc + j] - want) / max(1, abs(want)))
                worstOne = max(worstOne, abs(split[i * ldc + j] - one[i * ldc + j]) / max(1, abs(want)))
            }
            for j in c.n..<ldc { #expect(split[i * ldc + j] == original[i * ldc + j], "padding columns untouched") }
        }
        #expect(worstNaive < 1e-4, "\(c) on \(threads) threads: relative error \(worstNaive) against the naive loop")
        #expect(worstOne < 1e-5, "\(c) on \(threads) threads: relative error \(worstOne) against one thread")
    }

    @Test func doubleGemvPathMatchesNaive() {
        let a: [Double] = [1, 2, 3], b: [Double] = [1, 2, 3, 4, 5, 6]   // [1, 3] x [3, 2]
        var c = [Double](repeating: 0, count: 2)
        BLAS.gemm(transA: false, transB: false, m: 1, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        #expect(c == [22, 28])
    }

    @Test func batchedRepeatsBroadcastOperands() {
        let a: [Float] = [1, 2, 3, 4]                 // one [2, 2] matrix shared by both batches
        let b: [Float] = [1, 0, 0, 1, 2, 0, 0, 2]     // two [2, 2] matrices
        var c = [Float](repeating: 0, count: 8)
        BLAS.gemmBatched(transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 1, a: a, lda: 2, aOffsets: [0, 0],
                         b: b, ldb: 2, bOffsets: [0, 4], beta: 0, c: &c, ldc: 2)
        #expect(c == [1, 2, 3, 4, 2, 4, 6, 8])
    }

    @Test func integerMatMulWraps() {
        let a: [Int32] = [Int32.max, 1], b: [Int32] = [2, 3]
        var c = [Int32](repeating: 0, count: 1)
        IntegerMatMul.run(a: a, aOffsets: [0], b: b, bOffsets: [0], c: &c, m: 1, n: 1, k: 2)
        #expect(c == [Int32.max &* 2 &+ 3])
    }
}
