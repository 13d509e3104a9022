import Foundation
import Testing
@testable import InferKernels

/// Concurrent GEMMs from several application threads, each split over 2 engine threads (one
/// caller's job on the worker pool, the others inline, OpenBLAS single-threaded everywhere),
/// must give each caller exactly the result of the same split call made alone. (Not always
/// bit for bit the unsplit call's: OpenBLAS' Zen core rounds a 128-column call differently
/// from a 256-column one, by up to 5e-7 here.)
@Suite struct BLASConcurrencyTests {
    @Test func concurrentThreadedSGEMM() {
        BLASCore.pinSingleThreaded()
        #expect(BLASCore.threadCount == 1)
        let (m, n, k) = (96, 256, 256)
        let a = (0..<(m * k)).map { Float(($0 * 7) % 13) / 13 - 0.5 }
        let b = (0..<(k * n)).map { Float(($0 * 5) % 11) / 11 - 0.5 }
        var single = [Float](repeating: 0, count: m * n), alone = single
        BLAS.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: &single, ldc: n)
        BLAS.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: &alone, ldc: n,
                  threads: 2)
        let worst = zip(single, alone).map { abs($0 - $1) }.max() ?? .nan
        #expect(worst <= 1e-5, "the split GEMM is \(worst) from the unsplit one")
        let expected = alone
        let callers = 8, rounds = 60
        nonisolated(unsafe) let bad = UnsafeMutablePointer<Int>.allocate(capacity: callers)
        bad.initialize(repeating: 0, count: callers)
        defer { bad.deallocate() }
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            var c = [Float](repeating: 0, count: m * n)
            for _ in 0..<rounds {
                BLAS.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: &c, ldc: n,
                          threads: 2)
                if c != expected { bad[caller] += 1 }
            }
        }
        let total = (0..<callers).reduce(0) { $0 + bad[$1] }
        #expect(total == 0, "\(total) of \(callers * rounds) concurrent GEMMs differed from the same call made alone")
    }
}
