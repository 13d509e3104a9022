import Dispatch

/// Splits `0..<count` (items of `elements / count` elements each; default 1) into contiguous chunks and runs them on up to `threads` threads, but only
/// when the work is big enough to pay for the dispatch (small tensors run inline).
package enum ParallelChunks {
    /// Below this many elements a single thread is faster than waking others. Cheap ops
    /// (add, relu, copies) stream memory at ~1 ns per element or less, so they only split
    /// from about a million elements; ops calling libm per element (erf, sin, ...) from 64K.
    package static let minimumParallelElements = 1 << 20
    package static let minimumParallelElementsForExpensiveOps = 1 << 16

    @inline(__always)
    package static func run(count: Int, threads: Int, elements: Int? = nil,
                            minimumElements: Int = minimumParallelElements,
                            _ body: (_ start: Int, _ end: Int) -> Void) {
        guard threads > 1, count > 1, (elements ?? count) >= minimumElements else {
            if count > 0 { body(0, count) }
            return
        }
        let chunks = min(threads * 4, count)
        withoutActuallyEscaping(body) { body in
            let work = ChunkBody(run: body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                work.run(count * c / chunks, count * (c + 1) / chunks)
            }
        }
    }
}

/// Chunks write disjoint output ranges and only read shared inputs, so handing the body to
/// other threads is safe although the compiler cannot prove it.
private struct ChunkBody: @unchecked Sendable {
    let run: (Int, Int) -> Void
}
