import Dispatch

/// The one parallel-for of the kernels: splits `0..<count` into contiguous ranges and runs
/// them on up to `threads` threads — only when the work is big enough to pay for waking
/// them; otherwise the caller's thread does it all.
///
/// One threshold policy: callers state `work` in cheap vectorized operations (one per element
/// streamed by a copy, add or relu; one per multiply-add or comparison of a pooling or conv
/// window), weighting transcendental elements by `transcendentalCost`. A split happens from
/// `minimumParallelWork` units: waking a worker costs tens of microseconds on a busy 2-core
/// machine, about the time a vectorized kernel needs for ~512K such operations (measured:
/// ResNet's 16x28x28 MaxPool, ~200K comparisons, took 0.026 ms on one thread and 0.126 ms split
/// over two; an exp over 64K floats, ~1M weighted units, gains from the second thread).
package enum ParallelFor {
    package static let minimumParallelWork = 1 << 19
    /// Weight of one element of exp / erf / tanh / sigmoid / log (VectorMath) or libm calls.
    package static let transcendentalCost = 16

    /// Calls `body` on disjoint ranges covering `0..<count` (in order when run inline).
    @inline(__always)
    package static func run(count: Int, work: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        guard threads > 1, count > 1, work >= minimumParallelWork else {
            if count > 0 { body(0..<count) }
            return
        }
        // A few chunks per thread so an uneven split or a descheduled worker costs less.
        let chunks = min(threads * 4, count)
        withoutActuallyEscaping(body) { body in
            let shared = DisjointWork(body: body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let start = count * c / chunks, end = count * (c + 1) / chunks
                if start < end { shared.body(start..<end) }
            }
        }
    }

    /// `body(i)` for every `i < count` (planes, rows, heads), split as `run` does.
    @inline(__always)
    package static func forEach(_ count: Int, work: Int, threads: Int, _ body: (Int) -> Void) {
        run(count: count, work: work, threads: threads) { range in
            for i in range { body(i) }
        }
    }
}

/// The ranges write disjoint parts of the output and only read shared inputs, so handing the
/// body (which captures raw pointers) to other threads is safe although the compiler cannot
/// prove it.
private struct DisjointWork: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}
