import Foundation
import InferIR
import InferKernels

/// Measures the sgemm rate the engine gets on `threads` threads: through the same call the
/// kernels make (OpenBLAS single-threaded, the GEMM split over the engine's threads), or with
/// `openBLASThreads` through OpenBLAS' own threading instead, for comparison. Median of
/// `iterations` timed calls after three warm-ups.
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

    package static func measure(m: Int, n: Int, k: Int, iterations: Int = 10, threads: Int = 1,
                                openBLASThreads: Bool = false) -> Result {
        BLASRuntime.ensureConfigured()
        if openBLASThreads { BLASCore.setThreadCount(threads) }
        defer {
            if openBLASThreads {
                BLASCore.pinSingleThreaded()
                // OpenBLAS' workers spin for a while after their last call: let them park
                // before anything else is timed.
                Thread.sleep(forTimeInterval: 0.3)
            }
        }
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(m * k) { a[i] = Float(i % 7) * 0.25 - 0.5 }
        for i in 0..<(k * n) { b[i] = Float(i % 5) * 0.125 - 0.25 }
        func once() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            if openBLASThreads {
                BLAS.rawGemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                             beta: 0, c: c, ldc: n)
            } else {
                BLAS.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                          beta: 0, c: c, ldc: n, threads: threads)
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        // A few warm-ups: the first calls also start the engine's workers and fault in
        // OpenBLAS' per-thread buffers.
        for _ in 0..<3 { _ = once() }
        let times = (0..<max(iterations, 1)).map { _ in once() }.sorted()
        return Result(m: m, n: n, k: k, medianSeconds: times[times.count / 2])
    }

    /// The bf16 GEMM (`BF16Gemm`, weights packed beforehand as a plan's are) on `kernel`: the
    /// rounding of A and the product, median of `iterations` calls after three warm-ups.
    package static func measureBF16(m: Int, n: Int, k: Int, iterations: Int = 10, threads: Int = 1,
                                    kernel: BF16Kernel = .chosen) -> Result {
        precondition(kernel.isAvailable, "\(kernel.name) does not run on this CPU")
        let a = (0..<(m * k)).map { Float($0 % 7) * 0.25 - 0.5 }
        let bits = (0..<(k * n)).map { BFloat16.bits(Float($0 % 5) * 0.125 - 0.25) }
        let packed = bits.withUnsafeBufferPointer { PackedBF16Matrix(bits: $0.baseAddress!, k: k, n: n) }
        var c = [Float](repeating: 0, count: m * n)
        var scratch = [UInt16](repeating: 0, count: BF16Gemm.scratchCount(m: m, b: packed))
        func once() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            BF16Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &c, ldc: n, scratch: &scratch, threads: threads, kernel: kernel)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        for _ in 0..<3 { _ = once() }
        let times = (0..<max(iterations, 1)).map { _ in once() }.sorted()
        return Result(m: m, n: n, k: k, medianSeconds: times[times.count / 2])
    }

    /// The int8 GEMM (`Int8Gemm`, weights packed beforehand as a plan's are) on `kernel`: the
    /// quantization of A and the product, median of `iterations` calls after three warm-ups.
    package static func measureInt8(m: Int, n: Int, k: Int, iterations: Int = 10, threads: Int = 1,
                                    kernel: Int8Kernel = .chosen) -> Result {
        precondition(kernel.isAvailable, "\(kernel.name) does not run on this CPU")
        let a = (0..<(m * k)).map { Float($0 % 7) * 0.25 - 0.5 }
        let values = (0..<(k * n)).map { Int8($0 % 255 - 127) }
        let scales = [Float](repeating: 0.01, count: n)
        let packed = PackedInt8Matrix(values: values, scales: scales, k: k, n: n)
        var c = [Float](repeating: 0, count: m * n)
        let scratch = Int8Gemm.Scratch(m: m, b: packed)
        defer { scratch.deallocate() }
        func once() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            Int8Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &c, ldc: n, scratch: scratch, threads: threads, kernel: kernel)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        for _ in 0..<3 { _ = once() }
        let times = (0..<max(iterations, 1)).map { _ in once() }.sorted()
        return Result(m: m, n: n, k: k, medianSeconds: times[times.count / 2])
    }

    /// The int8 variants this CPU runs, best first (what `blas` times), with their names.
    package static var int8Variants: [(kernel: Int8Kernel, name: String)] { Int8Kernel.available.reversed().map { ($0, $0.name) } }

    /// The int8 GEMM kernel plans run on here, and why not a better one (`blas`, reports).
    package static var int8Report: String { Int8Kernel.report }

    /// The bf16 variants this CPU runs, best first (what `blas` times), with their names.
    package static var bf16Variants: [(kernel: BF16Kernel, name: String)] { BF16Kernel.available.reversed().map { ($0, $0.name) } }

    /// The bf16 GEMM kernel plans run on here, and why not a better one (`blas`, reports).
    package static var bf16Report: String { BF16Kernel.report }
}
