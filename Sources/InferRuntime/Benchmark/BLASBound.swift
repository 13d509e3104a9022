import Foundation
import InferKernels

/// `bench --blas-bound`: the GEMM calls of one run (`GemmRecorder`), timed alone: the same
/// shapes, transposes and threads, in the same order, warm, on operands of the same sizes. The
/// run's p50 over that time says how much of a run is not GEMM (1.00: nothing; 1.25: a fifth
/// of the run is everything else).
package struct BLASBound: Sendable {
    package let entries: [GemmRecorder.Entry]
    /// The replayed sequence's latencies.
    package let statistics: LatencyStatistics

    /// GEMM calls per run (a group of per-head products counts each product).
    package var callCount: Int { entries.reduce(0) { $0 + $1.shapes.count * $1.repeats } }
    package var flops: Int { entries.reduce(0) { $0 + $1.flops } }

    /// Records the GEMMs of one `run`, then times them alone: `warmup` passes, then `iterations`.
    package static func measure(warmup: Int, iterations: Int, run: () throws -> Void) rethrows -> BLASBound {
        let (_, entries) = try GemmRecorder.recording(run)
        let replay = Replay(entries)
        for _ in 0..<max(0, warmup) { replay.once() }
        let seconds = (0..<max(1, iterations)).map { _ in MonotonicClock.time { replay.once() }.1 }
        return BLASBound(entries: entries, statistics: LatencyStatistics(seconds: seconds))
    }

    /// `runP50` over the GEMMs' p50 (nil when the run made no GEMM).
    package func ratio(runP50 seconds: Double) -> Double? {
        statistics.p50 > 0 && !entries.isEmpty ? seconds / statistics.p50 : nil
    }

    /// One line for `bench`'s report.
    package func summary(runP50 seconds: Double) -> String {
        guard let ratio = ratio(runP50: seconds) else { return "BLAS-bound: the run makes no GEMM call" }
        let gflops = Double(flops) / statistics.p50 / 1e9
        return String(format: "BLAS-bound: %d GEMM calls (%@ FLOPs) alone, same shapes, transposes and threads, in order, warm: "
                      + "p50 %.3f ms (%.1f GFLOP/s); run p50 / GEMM p50 = %.2f (%.0f%% of the run is not GEMM)",
                      callCount, BenchmarkReport.count(flops), statistics.p50 * 1e3, gflops, ratio,
                      max(0, 100 * (1 - 1 / ratio)))
    }

    /// Operands big enough for every recorded shape: A and B shared (read only), one C per
    /// part so that a group's products running in parallel write apart.
    private final class Replay {
        let entries: [GemmRecorder.Entry]
        let a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>
        let cStride: Int

        init(_ entries: [GemmRecorder.Entry]) {
            self.entries = entries
            let shapes = entries.flatMap(\.shapes)
            let aCount = max(1, shapes.map { $0.m * $0.k }.max() ?? 1)
            let bCount = max(1, shapes.map { $0.k * $0.n }.max() ?? 1)
            cStride = max(1, shapes.map { $0.m * $0.n }.max() ?? 1)
            let parts = ParallelFor.maximumParts(entries.map(\.threads).max() ?? 1)
            a = .allocate(capacity: aCount)
            b = .allocate(capacity: bCount)
            c = .allocate(capacity: cStride * parts)
            // Small values, far from subnormals (which would slow the FMAs down).
            for i in 0..<aCount { a[i] = Float(i % 7) * 0.25 - 0.75 }
            for i in 0..<bCount { b[i] = Float(i % 5) * 0.125 - 0.25 }
            c.initialize(repeating: 0, count: cStride * parts)
        }

        deinit { a.deallocate(); b.deallocate(); c.deallocate() }

        func once() {
            for entry in entries {
                if entry.repeats == 1 {
                    for s in entry.shapes { gemm(s, c: c, threads: entry.threads) }
                    continue
                }
                // As the kernel runs a group: repeats split over the threads, each on one.
                let work = entry.flops / 2
                ParallelFor.runParts(count: entry.repeats, work: work, threads: entry.threads) { part, repeats in
                    for _ in repeats { for s in entry.shapes { gemm(s, c: c + part * cStride, threads: entry.threads) } }
                }
            }
        }

        private func gemm(_ s: GemmRecorder.Shape, c: UnsafeMutablePointer<Float>, threads: Int) {
            BLAS.gemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
                      a: a, lda: max(1, s.transA ? s.m : s.k), b: b, ldb: max(1, s.transB ? s.k : s.n),
                      beta: 0, c: c, ldc: max(1, s.n), threads: threads, record: false)
        }
    }
}
