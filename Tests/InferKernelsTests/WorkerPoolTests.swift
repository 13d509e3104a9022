import Foundation
import Synchronization
import Testing
@testable import InferKernels

/// The engine's worker pool: every chunk of every job runs exactly once, whatever the thread
/// count, nesting, concurrent callers or parked workers; and a job uses at most `threads` threads.
@Suite struct WorkerPoolTests {
    /// Per-chunk run counters, written from several threads.
    final class Counts: @unchecked Sendable {
        let values: UnsafeMutablePointer<Atomic<Int>>
        let count: Int
        init(_ count: Int) {
            self.count = count
            values = .allocate(capacity: max(1, count))
            for i in 0..<count { (values + i).initialize(to: Atomic(0)) }
        }
        deinit { values.deallocate() }
        func bump(_ i: Int) { values[i].add(1, ordering: .relaxed) }
        /// Indices not run exactly once.
        var wrong: [Int] { (0..<count).filter { values[$0].load(ordering: .relaxed) != 1 } }
    }

    /// A set filled from several threads (NSLock: Mutex captured in these closures trips
    /// ThreadSanitizer's exclusivity instrumentation).
    final class SharedSet: @unchecked Sendable {
        private let lock = NSLock()
        private var values: Set<UInt64> = []
        func insert(_ v: UInt64) { lock.lock(); values.insert(v); lock.unlock() }
        var all: Set<UInt64> { lock.lock(); defer { lock.unlock() }; return values }
    }

    @Test(arguments: [1, 2, 3, 8])
    func everyChunkRunsOnce(threads: Int) {
        for chunks in [0, 1, 2, 3, 7, 64, 1000] {
            for _ in 0..<50 {
                let counts = Counts(chunks)
                WorkerPool.shared.run(chunks: chunks, threads: threads) { counts.bump($0) }
                #expect(counts.wrong.isEmpty, "threads \(threads), chunks \(chunks): \(counts.wrong.prefix(5))")
            }
        }
    }

    /// Back-to-back jobs whose chunk counts alternate between few and many, on more threads
    /// than cores: a worker still finishing with one job is often descheduled while the next
    /// is being published. It once read the new job's chunk count next to the old job's claim,
    /// ran a chunk of the new job before it opened, and had it counted against the new job,
    /// which returned while that chunk still ran (a trap in `withoutActuallyEscaping`, seen
    /// in CI, or a chunk run twice).
    @Test func alternatingJobSizesRunEveryChunkOnce() {
        var failures: [String] = []
        for round in 0..<100_000 where failures.count < 5 {
            let chunks = round % 2 == 0 ? 2 : 96
            let counts = Counts(chunks)
            WorkerPool.shared.run(chunks: chunks, threads: 4) { counts.bump($0) }
            if !counts.wrong.isEmpty { failures.append("round \(round): \(counts.wrong.prefix(3))") }
        }
        #expect(failures.isEmpty, "chunks not run exactly once: \(failures)")
    }

    @Test func aJobUsesAtMostItsThreadCount() {
        // Grow the pool past 2 first, so the limit is the job's, not the pool's size.
        WorkerPool.shared.run(chunks: 64, threads: 6) { _ in }
        for _ in 0..<20 {
            let ids = SharedSet()
            WorkerPool.shared.run(chunks: 256, threads: 2) { _ in
                var x: Double = 0
                for i in 0..<2000 { x += Double(i).squareRoot() }  // long enough for workers to join
                precondition(x > 0)
                ids.insert(UInt64(pthread_self()))
            }
            let used = ids.all.count
            #expect(used <= 2, "a 2-thread job ran on \(used) threads")
        }
    }

    @Test func nestedRegionsRunInline() {
        let outer = 8, inner = 50
        let counts = Counts(outer * inner)
        WorkerPool.shared.run(chunks: outer, threads: 2) { o in
            WorkerPool.shared.run(chunks: inner, threads: 2) { i in counts.bump(o * inner + i) }
        }
        #expect(counts.wrong.isEmpty, "\(counts.wrong.prefix(5))")
    }

    @Test func concurrentCallersEachGetAllTheirChunks() {
        let callers = 8, chunks = 200, rounds = 30
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: callers) { _ in
            for _ in 0..<rounds {
                let counts = Counts(chunks)
                WorkerPool.shared.run(chunks: chunks, threads: 2) { counts.bump($0) }
                if !counts.wrong.isEmpty { failures.add(1, ordering: .relaxed) }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0, "jobs with a chunk not run exactly once")
    }

    @Test func parkedWorkersWakeForTheNextJob() {
        for _ in 0..<5 {
            // Well past the spin time: the workers are parked on the condition when this starts.
            Thread.sleep(forTimeInterval: Double(WorkerPool.spinDuration) / 1e9 * 20)
            let counts = Counts(100)
            WorkerPool.shared.run(chunks: 100, threads: 3) { counts.bump($0) }
            #expect(counts.wrong.isEmpty)
        }
    }

    @Test func parallelForCoversEveryIndexWithParts() {
        for threads in [2, 3, 5] {
            for count in [2, 3, 10, 1001] {
                let counts = Counts(count)
                let partsSeen = SharedSet()
                ParallelFor.runParts(count: count, work: Int.max, threads: threads) { part, range in
                    partsSeen.insert(UInt64(part))
                    for i in range { counts.bump(i) }
                }
                #expect(counts.wrong.isEmpty, "threads \(threads), count \(count)")
                let parts = Set(partsSeen.all.map { Int($0) })
                #expect(parts.allSatisfy { $0 >= 0 && $0 < ParallelFor.maximumParts(threads) }, "\(parts)")
                // Split into one part per thread, or inline as part 0 when the pool was busy
                // with another test's job.
                #expect(parts.count == min(threads, count) || parts == [0], "part numbers: \(parts.sorted())")
            }
        }
    }
}
