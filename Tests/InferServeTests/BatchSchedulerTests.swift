import Foundation
import Testing
@testable import InferRuntime
@testable import InferServe
@testable import InferServeProtocol

/// Dynamic batching on the mlp graph (x: float[N,64] -> logits: float[N,10]): concurrent
/// requests share runs and each gets its own rows back; a full queue refuses at once; a
/// request past its deadline is answered and never run.
@Suite struct BatchSchedulerTests {
    /// A scheduler recording into a registry of its own, and a reader of that registry's counts.
    static func scheduler(_ settings: BatchSettings) throws -> (BatchScheduler, (String) -> Double) {
        let registry = ServerMetrics()
        let scheduler = BatchScheduler(engine: try engine(), settings: settings, metrics: registry.model(name: "mlp", version: "1"), label: "test")
        return (scheduler, { MetricsText.value(registry.text(), $0) ?? -1 })
    }

    static func engine() throws -> Engine {
        try Engine(contentsOf: URL(fileURLWithPath: ServerHarness.mlp), options: Engine.Options(threads: 1))
    }

    static func input(rows: Int, seed: UInt64) throws -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let values = (0..<rows * 64).map { _ -> Float in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(Int(state % 2001) - 1000) / 500
        }
        return try Tensor(shape: [rows, 64], scalars: values)
    }

    @Test func concurrentRequestsShareRunsAndGetTheirOwnRows() async throws {
        let engine = try Self.engine()
        let (scheduler, count) = try Self.scheduler(BatchSettings(maxBatch: 8, batchWindowMicroseconds: 60_000_000, maxQueue: 16, instances: 1))
        let rows = [1, 2, 3, 1, 1]  // 8 rows: one full batch once all have queued
        let inputs = try rows.enumerated().map { try Self.input(rows: $1, seed: UInt64($0 + 1)) }
        // As the HTTP layer does: each request is announced before it is queued.
        for _ in inputs { scheduler.requestArriving() }
        let results = try await withThrowingTaskGroup(of: (Int, [String: Tensor]).self) { group in
            for (index, x) in inputs.enumerated() {
                group.addTask { (index, try await scheduler.submit(["x": x], rows: x.shape[0], timeoutMicroseconds: nil, announced: true)) }
            }
            var results = [[String: Tensor]](repeating: [:], count: inputs.count)
            for try await (index, outputs) in group { results[index] = outputs }
            return results
        }
        #expect(count("nv_inference_count") == 8)
        #expect(count("nv_inference_exec_count") == 1, "requests were not batched: \(count("nv_inference_exec_count")) runs for 5 requests")
        #expect(count("swiftc_infer_batch_rows_count") == count("nv_inference_exec_count"))
        for (index, x) in inputs.enumerated() {
            let alone = try await engine.run(["x": x])["logits"]!.scalars(as: Float.self)
            let batched = try results[index]["logits"]!.scalars(as: Float.self)
            #expect(results[index]["logits"]!.shape == [rows[index], 10])
            #expect(Set(batched).count > 1, "request \(index) got a constant output")
            let worst = zip(alone, batched).map { abs($0 - $1) / max(abs($0), 1) }.max()!
            #expect(worst < 1e-5, "request \(index): batched rows differ from running it alone by \(worst)")
        }
    }

    /// Waits (bounded) until the scheduler's queue-depth gauge reads `depth`.
    static func waitForQueueDepth(_ depth: Double, _ count: (String) -> Double) async throws {
        for _ in 0..<6000 where count("swiftc_infer_queue_depth") != depth { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(count("swiftc_infer_queue_depth") == depth, "the queue never held \(depth) requests")
    }

    /// None of these depend on timing: the 60 s windows are held open by a request announced
    /// as arriving, and released by withdrawing it.
    @Test func aFullQueueRefusesAtOnce() async throws {
        let (scheduler, count) = try Self.scheduler(BatchSettings(maxBatch: 8, batchWindowMicroseconds: 60_000_000, maxQueue: 2, instances: 1))
        let x = try Self.input(rows: 1, seed: 7)
        scheduler.requestArriving()  // a request on its way keeps the window open
        async let first = scheduler.submit(["x": x], rows: 1, timeoutMicroseconds: nil)
        async let second = scheduler.submit(["x": x], rows: 1, timeoutMicroseconds: nil)
        try await Self.waitForQueueDepth(2, count)
        await #expect {
            _ = try await scheduler.submit(["x": x], rows: 1, timeoutMicroseconds: nil)
        } throws: { error in
            (error as? ServeError)?.kind == .queueFull && (error as? ServeError)?.status == .tooManyRequests
        }
        // Refused while the two queued requests still wait: nothing has run.
        #expect(count("nv_inference_exec_count") == 0)
        scheduler.requestWithdrawn()  // nothing else arriving: the batch runs now
        _ = try await (first, second)
        #expect(count("swiftc_infer_rejected_requests{model=\"mlp\",version=\"1\",reason=\"queue_full\"}") == 1)
        #expect(count("nv_inference_count") == 2 && count("nv_inference_exec_count") == 1)
    }

    @Test func aRequestPastItsDeadlineIsAnsweredAndNotRun() async throws {
        let (scheduler, count) = try Self.scheduler(BatchSettings(maxBatch: 8, batchWindowMicroseconds: 60_000_000, maxQueue: 4, instances: 1))
        let x = try Self.input(rows: 1, seed: 3)
        scheduler.requestArriving()  // another request on its way: the batch waits for it
        defer { scheduler.requestWithdrawn() }
        var message = ""
        await #expect {
            _ = try await scheduler.submit(["x": x], rows: 1, timeoutMicroseconds: 20_000)
        } throws: { error in
            message = (error as? ServeError)?.message ?? ""
            return (error as? ServeError)?.kind == .deadlineExceeded && (error as? ServeError)?.status == .gatewayTimeout
        }
        // Answered at its 20 ms deadline, not at the end of the 60 s window (the scheduler's
        // own clock, in the message: immune to a busy test machine delaying this task).
        let waited = Int(message.split(separator: " ").first { Int($0) != nil } ?? "") ?? -1
        #expect(waited >= 20_000 && waited < 30_000_000, "\(message)")
        #expect(count("nv_inference_exec_count") == 0)
        #expect(count("swiftc_infer_rejected_requests{model=\"mlp\",version=\"1\",reason=\"deadline\"}") == 1)
    }

    /// With nothing else arriving, waiting out the window cannot grow the batch: a lone
    /// request runs at once.
    @Test func aLoneRequestDoesNotWaitOutTheWindow() async throws {
        let (scheduler, count) = try Self.scheduler(BatchSettings(maxBatch: 8, batchWindowMicroseconds: 60_000_000, maxQueue: 4, instances: 1))
        scheduler.requestArriving()
        let y = try await scheduler.submit(["x": try Self.input(rows: 1, seed: 9)], rows: 1, timeoutMicroseconds: nil, announced: true)
        #expect(y["logits"]?.shape == [1, 10] && count("nv_inference_exec_count") == 1)
        // Its time in the queue, as the scheduler measured it: far below the 60 s window.
        #expect(count("nv_inference_queue_duration_us") < 30_000_000)
    }

    @Test func batchingOffRunsEachRequestAlone() async throws {
        let (scheduler, count) = try Self.scheduler(BatchSettings(maxBatch: 1, batchWindowMicroseconds: 500_000, maxQueue: 8, instances: 1))
        let x = try Self.input(rows: 2, seed: 5)
        async let a = scheduler.submit(["x": x], rows: 2, timeoutMicroseconds: nil)
        async let b = scheduler.submit(["x": x], rows: 2, timeoutMicroseconds: nil)
        let (ya, yb) = try await (a, b)
        #expect(try ya["logits"]!.scalars(as: Float.self) == yb["logits"]!.scalars(as: Float.self))
        #expect(count("nv_inference_exec_count") == 2)
    }

    @Test func modelsWithoutASharedBatchSymbolDoNotBatch() throws {
        let fixed = ValueInfo(name: "x", type: ValueType(dtype: .float32, dims: [1, 4]))
        let batched = ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(4)]))
        let other = ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: [.symbol("M"), .value(4)]))
        #expect(ServedModel.sharedLeadingSymbol(inputs: [batched], outputs: [batched]) == "N")
        #expect(ServedModel.sharedLeadingSymbol(inputs: [batched], outputs: [other]) == nil)
        #expect(ServedModel.sharedLeadingSymbol(inputs: [fixed], outputs: [batched]) == nil)
    }
}
