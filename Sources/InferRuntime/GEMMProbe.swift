import Foundation
import InferKernels

/// Measures the sgemm rate the engine gets from OpenBLAS right now (core and threads as set),
/// through the same wrapper the kernels use. Median of `iterations` timed calls after one warm-up.
///
/// ```swift
/// let probe = GEMMProbe.measure(m: 128, n: 768, k: 256)
/// print("\(probe.gflops) GFLOP/s on \(BLASRuntime.coreName)")
/// ```
package enum GEMMProbe {
    package struct Result: Sendable {
        package let m: Int, n: Int, k: Int
        package let medianSeconds: Double
        package var gflops: Double { 2.0 * Double(m) * Double(n) * Double(k) / medianSeconds / 1e9 }
    }

    package static func measure(m: Int, n: Int, k: Int, iterations: Int = 10) -> Result {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(m * k) { a[i] = Float(i % 7) * 0.25 - 0.5 }
        for i in 0..<(k * n) { b[i] = Float(i % 5) * 0.125 - 0.25 }
        func once() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            BLAS.rawGemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                         beta: 0, c: c, ldc: n)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        _ = once()
        let times = (0..<max(iterations, 1)).map { _ in once() }.sorted()
        return Result(m: m, n: n, k: k, medianSeconds: times[times.count / 2])
    }
}
