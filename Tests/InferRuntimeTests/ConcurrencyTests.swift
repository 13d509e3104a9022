import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// One `Engine` shared by 16 concurrent tasks gives, for every input, the result a single
/// caller gets (see `agree`). Also run under `swift test --sanitize=thread --filter Concurrency`.
@Suite struct ConcurrencyTests {
    static let tasks = 16
    static let runsPerTask = 20

    /// The synchronous `run` (in an async context Swift would pick the async overload).
    static func runBlocking(_ engine: Engine, _ feeds: [String: Tensor]) throws -> [String: Tensor] {
        try engine.run(feeds)
    }

    /// Equal bit for bit, or within 1e-5 relative: OpenBLAS' thread count is process-wide and
    /// other test suites running in parallel change it, and a GEMM split over another number of
    /// threads may round its last bit differently (measured: up to 1e-6 on the encoder). A race
    /// (a session or arena shared by two callers) gives errors many orders larger.
    static func agree(_ a: [String: Tensor], _ b: [String: Tensor]) -> Bool {
        guard a.keys.sorted() == b.keys.sorted() else { return false }
        for (name, x) in a {
            guard let y = b[name], x.dtype == y.dtype, x.shape == y.shape else { return false }
            if x == y { continue }
            for (u, v) in zip(x.doubleValues(), y.doubleValues()) where abs(u - v) > 1e-5 * max(1, abs(v)) { return false }
        }
        return true
    }

    @Test func sixteenTasksMatchSingleThreadedResults() async throws {
        // threads: 1 so each run's kernels stay on its caller's thread; the concurrency under
        // test is between callers (sessions, plan cache, pools), not inside one run.
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"), options: .init(threads: 1, maxIdleSessions: 2))
        let total = Self.tasks * Self.runsPerTask
        // Batch sizes 1...3: three plans in the cache used at once.
        let feeds = (0..<total).map { ModelFixtures.encoderInputs(batch: 1 + $0 % 3, seed: UInt64($0) + 1) }
        let expected = try feeds.map { try engine.run($0) }

        let mismatches = try await withThrowingTaskGroup(of: [Int].self) { group in
            for task in 0..<Self.tasks {
                group.addTask {
                    var bad: [Int] = []
                    for r in 0..<Self.runsPerTask {
                        let i = task * Self.runsPerTask + r
                        // Half the tasks use the async API (dispatch queue), half call run directly.
                        let got = task % 2 == 0 ? try await engine.run(feeds[i]) : try Self.runBlocking(engine, feeds[i])
                        if !Self.agree(got, expected[i]) { bad.append(i) }
                    }
                    return bad
                }
            }
            var all: [Int] = []
            for try await bad in group { all += bad }
            return all
        }
        #expect(mismatches.isEmpty, "runs whose outputs differ from the single-threaded result: \(mismatches.sorted())")
        #expect(engine.planCount == 3)
        // Idle sessions are capped per plan, whatever the peak concurrency was.
        #expect(engine.idleSessionCount <= 3 * 2)
    }

    /// The same on 2 engine threads: concurrent runs share the one worker pool (one job at a
    /// time, the others inline on their callers) and call single-threaded OpenBLAS at once.
    @Test func concurrentCallersOnTwoThreadEngines() async throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"), options: .init(threads: 2, maxIdleSessions: 2))
        let total = 8 * 10
        let feeds = (0..<total).map { ModelFixtures.encoderInputs(batch: 2 + $0 % 2, seed: UInt64($0) + 7) }
        let expected = try feeds.map { try engine.run($0) }
        let mismatches = try await withThrowingTaskGroup(of: [Int].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var bad: [Int] = []
                    for r in 0..<10 {
                        let i = task * 10 + r
                        if !Self.agree(try await engine.run(feeds[i]), expected[i]) { bad.append(i) }
                    }
                    return bad
                }
            }
            var all: [Int] = []
            for try await bad in group { all += bad }
            return all
        }
        #expect(mismatches.isEmpty, "runs whose outputs differ from the single-caller result: \(mismatches.sorted())")
    }
}
