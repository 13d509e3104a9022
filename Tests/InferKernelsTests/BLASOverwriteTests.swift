import Testing
@testable import InferKernels

/// `BLAS.gemm` with beta 0 must write every element of C whatever C held (NaN included): static
/// plans skip zero-filling the outputs of the fused GEMM / convolution bindings relying on it.
/// Covers the GEMV shapes (M == 1, N == 1, where OpenBLAS scales y by 0 and keeps NaN), the GEMM
/// shape, K == 0, and a leading dimension wider than N (the gap must stay untouched).
@Suite struct BLASOverwriteTests {
    @Test(arguments: [(1, 5, 3), (4, 1, 3), (1, 1, 4), (3, 4, 5), (2, 3, 0)])
    func betaZeroOverwritesNaN(m: Int, n: Int, k: Int) {
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = (0..<max(1, m * k)).map { Float($0 % 7) - 3 }
            let b = (0..<max(1, k * n)).map { Float($0 % 5) - 2 }
            let ldc = n + 2
            var c = [Float](repeating: .nan, count: m * ldc)
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: max(1, transA ? m : k),
                      b: b, ldb: max(1, transB ? k : n), beta: 0, c: &c, ldc: ldc)
            for i in 0..<m {
                for j in 0..<n {
                    var expected: Float = 0
                    for p in 0..<k {
                        expected += a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j]
                    }
                    #expect(c[i * ldc + j] == expected, "m \(m) n \(n) k \(k) transA \(transA) transB \(transB)")
                }
                #expect(c[i * ldc + n].isNaN && c[i * ldc + n + 1].isNaN)
            }
        }
    }
}
