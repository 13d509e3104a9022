import Dispatch

/// Runs `body` over plane indices 0..<count, on `threads` workers when the work is big
/// enough to pay for the dispatch (planes write disjoint outputs, so no synchronization).
enum ParallelPlanes {
    /// Carries the non-Sendable body (it captures raw pointers) into concurrentPerform; safe
    /// because every plane touches only its own output.
    private struct UncheckedBody: @unchecked Sendable { let run: (Int) -> Void }

    static func forEach(_ count: Int, threads: Int, work: Int, _ body: (Int) -> Void) {
        guard threads > 1, count > 1, work > 1 << 16 else {
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
