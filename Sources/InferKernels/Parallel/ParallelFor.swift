import Synchronization

/// The one parallel-for of the kernels: splits `0..<count` into contiguous ranges and runs
/// them on up to `threads` threads of the engine's `WorkerPool` — only when the work is big
/// enough to pay for the hand-off; otherwise the caller's thread does it all.
///
/// One threshold policy: callers state `work` in cheap vectorized operations (one per element
/// streamed by a copy, add or relu; one per multiply-add or comparison of a pooling or conv
/// window, or of a GEMM), weighting transcendental elements by `transcendentalCost`. A split
/// happens from `minimumParallelWork` units (65K, a few microseconds of one thread's work).
/// With GCD waking threads per region the threshold had to be 512K; the pool's spinning
/// workers take a job in about a microsecond, and splitting mid-size kernels also keeps each
/// half of a tensor in the cache of the core that made it. Measured on five CNNs at 2 threads
/// (AMD EPYC VM, 2026-12-02, medians of 3 alternated runs): 2^19 -> 2^16 gave 0.80-0.94x the
/// p50; 2^16 -> 2^14 changed nothing beyond noise (0.88-1.01x).
package enum ParallelFor {
    /// The split threshold, in work units, unless a test forces splitting.
    package static let defaultMinimumParallelWork = 1 << 16
    /// Bodies of `forcingEverySplit` running now.
    private static let forcedSplits = Atomic<Int>(0)

    /// The split threshold in force: 1 while any `forcingEverySplit` body runs.
    package static var minimumParallelWork: Int {
        forcedSplits.load(ordering: .relaxed) > 0 ? 1 : defaultMinimumParallelWork
    }

    /// Runs `body` with every parallel kernel splitting, however small its input (tests use it
    /// to send the parallel paths through the pool on small models). Process-wide while `body`
    /// runs: kernels on other threads split too, which must not change their results either.
    package static func forcingEverySplit<R>(_ body: () throws -> R) rethrows -> R {
        forcedSplits.add(1, ordering: .relaxed)
        defer { forcedSplits.subtract(1, ordering: .relaxed) }
        return try body()
    }

    /// Weight of one element of exp / erf / tanh / sigmoid / log (VectorMath) or libm calls.
    package static let transcendentalCost = 16

    /// Calls `body` on disjoint ranges covering `0..<count` (in order when run inline).
    /// `chunksPerThread` is 1 where each chunk repeats fixed work (a GEMM part packs its shared
    /// operand again), more where the ranges' costs vary.
    @inline(__always)
    package static func run(count: Int, work: Int, threads: Int, chunksPerThread: Int = 4,
                            _ body: (Range<Int>) -> Void) {
        guard threads > 1, count > 1, work >= minimumParallelWork else {
            if count > 0 { body(0..<count) }
            return
        }
        // A few chunks per thread so an uneven split or a descheduled worker costs less.
        let chunks = min(threads * chunksPerThread, count)
        WorkerPool.shared.run(chunks: chunks, threads: threads) { c in
            let start = count * c / chunks, end = count * (c + 1) / chunks
            if start < end { body(start..<end) }
        }
    }

    /// Like `run` with at most one range per thread, each passed with its part number
    /// (`< maximumParts(threads)`), so a body can use scratch memory of its own.
    @inline(__always)
    package static func runParts(count: Int, work: Int, threads: Int, _ body: (_ part: Int, Range<Int>) -> Void) {
        guard threads > 1, count > 1, work >= minimumParallelWork else {
            if count > 0 { body(0, 0..<count) }
            return
        }
        let parts = min(threads, count)
        WorkerPool.shared.run(chunks: parts, threads: threads) { p in
            body(p, count * p / parts..<count * (p + 1) / parts)
        }
    }

    /// How many part numbers `runParts` can pass on `threads` threads.
    package static func maximumParts(_ threads: Int) -> Int { max(1, threads) }

    /// `body(i)` for every `i < count` (planes, rows, heads), split as `run` does.
    @inline(__always)
    package static func forEach(_ count: Int, work: Int, threads: Int, _ body: (Int) -> Void) {
        run(count: count, work: work, threads: threads) { range in
            for i in range { body(i) }
        }
    }
}
