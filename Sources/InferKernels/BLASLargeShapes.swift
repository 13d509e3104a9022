/// GEMMs too large for cblas' 32-bit ints (a dim or leading dimension of 2^31 or more, which
/// `Int32(_:)` would trap on): split into blocks that fit. m and n split into row and column
/// blocks; k splits into blocks accumulated into C (beta applies to the first block only).
/// A leading dimension that does not fit cannot be split away (every block keeps it), so such
/// a GEMM runs as a plain loop: never fast, never wrong, and only reachable once the tensor
/// limit is raised past 8 GiB.
extension BLAS {
    /// The largest dim or leading dimension cblas takes.
    package static let maxDim = Int(Int32.max)

    /// Whether a GEMM needs splitting at `limit` (tests pass a small one).
    static func exceeds(_ limit: Int, _ values: Int...) -> Bool { values.contains { $0 > limit } }

    /// `gemm` is the caller's dispatcher (`BLAS.gemm` for Float or Double), called per block.
    static func splitGemm<T: FloatingPoint>(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int, limit: Int,
        gemm: (Bool, Bool, Int, Int, Int, T, UnsafePointer<T>, Int, UnsafePointer<T>, Int, T, UnsafeMutablePointer<T>, Int) -> Void
    ) {
        if exceeds(limit, lda, ldb, ldc) {
            loopGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                     beta: beta, c: c, ldc: ldc)
            return
        }
        // Element (i, p) of op(A) and (p, j) of op(B), as pointer offsets.
        func aOffset(_ i: Int, _ p: Int) -> Int { transA ? p * lda + i : i * lda + p }
        func bOffset(_ p: Int, _ j: Int) -> Int { transB ? j * ldb + p : p * ldb + j }
        for i in stride(from: 0, to: m, by: limit) {
            let rows = min(limit, m - i)
            for j in stride(from: 0, to: n, by: limit) {
                let cols = min(limit, n - j)
                for p in stride(from: 0, to: max(k, 1), by: limit) {
                    let depth = min(limit, k - p)
                    gemm(transA, transB, rows, cols, depth, alpha, a + aOffset(i, p), lda, b + bOffset(p, j), ldb,
                         p == 0 ? beta : 1, c + i * ldc + j, ldc)
                }
            }
        }
    }

    /// C = alpha * op(A) * op(B) + beta * C, one multiply-add at a time (beta 0 ignores C's contents).
    static func loopGemm<T: FloatingPoint>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                           a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                           beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: T = 0
                for p in 0..<k {
                    sum += a[transA ? p * lda + i : i * lda + p] * b[transB ? j * ldb + p : p * ldb + j]
                }
                let old = c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * old)
            }
        }
    }
}
