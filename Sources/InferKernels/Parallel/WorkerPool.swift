import Foundation
import Synchronization

/// The engine's own worker threads, behind `ParallelFor` (the only caller).
///
/// A parallel region publishes a job, the caller and up to `threads - 1` workers claim its
/// chunks from one shared counter, and the caller returns when every chunk is done. Between
/// jobs a worker spins for `spinDuration` before it parks, so the back-to-back regions of a
/// model run reach an awake worker (about a microsecond) instead of waking a thread per
/// kernel (GCD's `concurrentPerform` cost tens of microseconds per region on these 2-core
/// VMs, and its threads competed with OpenBLAS' own spinning workers: a quarter of a 2-thread
/// EfficientNet run was `sched_yield` and `__schedule`). OpenBLAS itself runs single-threaded
/// on the caller's thread (`BLAS.gemm` splits GEMMs over this pool), so the engine never has
/// more busy threads than `threads`.
///
/// One job runs at a time: a region that starts while another is running (a second session
/// on another thread, or a kernel nested inside a parallel body) runs on its caller's thread
/// alone, which on a machine already busy with the first job is the right thing anyway.
package final class WorkerPool: @unchecked Sendable {
    package static let shared = WorkerPool()

    /// How long an idle worker keeps looking for the next job before it parks. Long enough to
    /// bridge the serial steps between a run's parallel kernels, short enough that an idle
    /// engine gives its cores back almost at once.
    package static let spinDuration: UInt64 = 100_000  // nanoseconds

    /// More workers than this is a configuration error (`--threads 100000`), not a wish.
    package static let maximumWorkers = 255

    /// The published job's generation; a worker that sees it change has a job to look at.
    private let generation = Atomic<UInt32>(0)
    /// The current job's claim word, `ClaimWord`: its generation, chunk count and next
    /// unclaimed chunk in one atomic, so a claim can only succeed for the job it was made for
    /// and against that job's own chunk count.
    private let claim = Atomic<UInt64>(0)
    /// Chunks of the current job finished so far.
    private let completed = Atomic<Int>(0)
    /// Held by the caller of the job in flight.
    private let busy = Atomic<Bool>(false)
    /// Workers parked on `wakeup`.
    private let sleepers = Atomic<Int>(0)

    // The current job, stored before `generation` is published and loaded after a worker
    // observes it. Atomics (relaxed) because a late worker may still load them while the
    // next job is being stored: what it read is then discarded by its failing claim.
    private let jobBody = Atomic<Int>(0)  // bit pattern of a pointer to the caller's `Body`
    private let jobHelpers = Atomic<Int>(0)
    /// The caller's SIMD level cap (`SIMDKernels.currentCap`, rawValue + 1, 0 for none), which
    /// workers run the job's chunks under.
    private let jobCap = Atomic<Int>(0)

    private let wakeup = NSCondition()
    private let growLock = NSLock()
    private var workerCount = 0

    private init() {}

    /// The type-erased body a job runs: `body(chunk)` for each chunk index.
    private typealias Body = (Int) -> Void

    /// Most chunks one job can have (they share the claim word with the generation).
    package static let maximumChunks = Int(UInt16.max)

    /// `generation << 32 | chunks << 16 | next unclaimed chunk`. The chunk count lives here,
    /// not in a field of its own, because a late worker of the previous job may read fields
    /// the next job is still storing: with the count beside its old claim it once ran a chunk
    /// of the new job before the job opened and counted it as done, so the caller returned
    /// early (WorkerPoolTests.alternatingJobSizesRunEveryChunkOnce).
    private struct ClaimWord {
        var generation: UInt32
        var chunks: Int
        var next: Int
        init(generation: UInt32, chunks: Int, next: Int) {
            self.generation = generation; self.chunks = chunks; self.next = next
        }
        init(_ raw: UInt64) {
            generation = UInt32(truncatingIfNeeded: raw >> 32)
            chunks = Int((raw >> 16) & 0xFFFF)
            next = Int(raw & 0xFFFF)
        }
        var raw: UInt64 { UInt64(generation) << 32 | UInt64(chunks) << 16 | UInt64(next) }
    }

    /// Runs `body(chunk)` for every `chunk < chunks`, on the caller and up to `threads - 1`
    /// workers; returns when all are done. Runs everything inline when the pool is busy.
    package func run(chunks: Int, threads: Int, _ body: (Int) -> Void) {
        precondition(chunks <= Self.maximumChunks, "WorkerPool job of \(chunks) chunks (at most \(Self.maximumChunks))")
        let helpers = min(threads, Self.maximumWorkers + 1) - 1
        guard chunks > 1, helpers > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        ensureWorkers(helpers)
        withoutActuallyEscaping(body) { body in
            var erased: Body = body
            withUnsafePointer(to: &erased) { pointer in
                let next = generation.load(ordering: .relaxed) &+ 1
                jobBody.store(Int(bitPattern: UnsafeRawPointer(pointer)), ordering: .relaxed)
                jobHelpers.store(helpers, ordering: .relaxed)
                jobCap.store(SIMDKernels.currentCap.map { $0.rawValue + 1 } ?? 0, ordering: .relaxed)
                completed.store(0, ordering: .relaxed)
                claim.store(ClaimWord(generation: next, chunks: chunks, next: 0).raw, ordering: .relaxed)
                // Sequentially consistent, like a parking worker's `sleepers` increment: one
                // of the two always sees the other (see `nextGeneration`).
                generation.store(next, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    wakeup.lock()
                    wakeup.broadcast()
                    wakeup.unlock()
                }
                work(generation: next)
                // Every chunk was claimed; wait for the ones still running on workers.
                var spins = 0
                while completed.load(ordering: .acquiring) < chunks {
                    spins += 1
                    if spins & 0xFFF == 0 { sched_yield() }
                }
                jobBody.store(0, ordering: .relaxed)
            }
        }
    }

    /// Claims and runs chunks of job `generation` until none are left (or it was replaced).
    /// A worker takes on the job's SIMD level cap once it holds a claim (the job's fields are
    /// then that job's).
    private func work(generation expected: UInt32, onWorker: Bool = false) {
        // Read before claiming: a successful claim proves the job was still running (its caller
        // waits for this worker's chunk), so the pointer was that job's, not a later one's.
        guard let pointer = UnsafeRawPointer(bitPattern: jobBody.load(ordering: .relaxed)) else { return }
        while true {
            let current = claim.load(ordering: .relaxed)
            var word = ClaimWord(current)
            guard word.generation == expected, word.next < word.chunks else { return }
            let chunk = word.next
            word.next += 1
            guard claim.compareExchange(expected: current, desired: word.raw, ordering: .acquiringAndReleasing).exchanged
            else { continue }
            if onWorker {
                let cap = jobCap.load(ordering: .relaxed)
                SIMDKernels.currentCap = cap == 0 ? nil : SIMDKernels.Level(rawValue: cap - 1)
            }
            runChunk(pointer, chunk)
            completed.add(1, ordering: .releasing)
        }
    }

    /// Kept out of line so the closure copy it makes is released before the chunk is counted
    /// as done (the caller's `withoutActuallyEscaping` checks nothing kept it).
    @inline(never)
    private func runChunk(_ pointer: UnsafeRawPointer, _ chunk: Int) {
        pointer.assumingMemoryBound(to: Body.self).pointee(chunk)
    }

    private func ensureWorkers(_ count: Int) {
        growLock.lock()
        defer { growLock.unlock() }
        while workerCount < count {
            let index = workerCount
            let thread = Thread { [unowned self] in self.workerLoop(index: index) }
            thread.name = "swiftc-infer.worker.\(index)"
            thread.stackSize = 1 << 22
            thread.start()
            workerCount += 1
        }
    }

    private func workerLoop(index: Int) -> Never {
        var seen = generation.load(ordering: .acquiring)
        while true {
            seen = nextGeneration(after: seen)
            // Workers beyond the job's thread count sit this one out.
            guard index < jobHelpers.load(ordering: .relaxed) else { continue }
            work(generation: seen, onWorker: true)
        }
    }

    /// Spins for `spinDuration`, then parks, until a job newer than `seen` is published.
    private func nextGeneration(after seen: UInt32) -> UInt32 {
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinDuration
        var spins = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            spins += 1
            if spins & 0x3FF == 0, DispatchTime.now().uptimeNanoseconds > deadline { break }
        }
        wakeup.lock()
        defer { wakeup.unlock() }
        // Announce the sleep before the last look: a publisher either sees us here and
        // broadcasts under the lock, or we see its new generation (both are seq-cst).
        sleepers.add(1, ordering: .sequentiallyConsistent)
        defer { sleepers.subtract(1, ordering: .sequentiallyConsistent) }
        while true {
            let current = generation.load(ordering: .sequentiallyConsistent)
            if current != seen { return current }
            wakeup.wait()
        }
    }
}
