import Dispatch

/// Runs `body` over plane indices 0..<count, on `threads` workers when the work is big
/// enough to pay for the dispatch (planes write disjoint outputs, so no synchronization).
enum ParallelPlanes {
    /// Carries the non-Sendable body (it captures raw pointers) into concurrentPerform; safe
    /// because every plane touches only its own output.
    private struct UncheckedBody: @unchecked Sendable { let run: (Int) -> Void }

    /// Work (in multiply-adds / comparisons / cheap element ops) below which one thread is faster:
    /// waking a worker costs tens of microseconds on a busy machine, and a vectorized kernel does
    /// ~512K such operations in about that time (measured: ResNet's 16x28x28 MaxPool went from
    /// 0.026 ms on one thread to 0.126 ms split over two).
    static let minimumParallelWork = 1 << 19

    static func forEach(_ count: Int, threads: Int, work: Int, _ body: (Int) -> Void) {
        guard threads > 1, count > 1, work >= minimumParallelWork else {
            for p in 0..<count { body(p) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedBody(run: escapable)
            let chunks = min(count, threads * 4)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for p in stride(from: chunk, to: count, by: chunks) { box.run(p) }
            }
        }
    }
}
