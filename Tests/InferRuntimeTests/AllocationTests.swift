import CAllocationCounter
import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// Steady-state `Engine.run` allocates nothing on the heap beyond what it returns.
///
/// Counted with the `CAllocationCounter` interposer (malloc, calloc, realloc, posix_memalign,
/// aligned_alloc, memalign) on the calling thread only, with `threads: 1` so every kernel runs
/// on that thread. The bound per run is `1 + 2 * outputs`: the result dictionary's storage,
/// and per output tensor its `TensorStorage` object plus its 64-byte aligned bytes. Input
/// validation, the plan-cache lookup, the session checkout/checkin and every kernel add 0.
@Suite(.serialized) struct AllocationTests {
    @Test(arguments: ModelFixtures.names)
    func steadyStateRunAllocatesOnlyItsOutputs(model: String) throws {
        guard allocation_counter_available() != 0 else { return }   // sanitizer builds own malloc
        let engine = try Engine(contentsOf: ModelFixtures.url(model), options: .init(threads: 1, optimization: .full))
        let feeds = try ModelFixtures.testInputs(model)
        for _ in 0..<5 { _ = try engine.run(feeds) }
        #expect(try engine.plan(for: feeds).dynamicStepCount == 0, "\(model) must run fully planned")
        let runs = 20
        var counts: [Int] = []
        counts.reserveCapacity(runs)
        for _ in 0..<runs {
            allocation_counter_start()
            _ = try engine.run(feeds)
            counts.append(allocation_counter_stop())
        }
        let bound = 1 + 2 * engine.outputs.count
        let perRun = Double(counts.reduce(0, +)) / Double(runs)
        print("allocations per steady-state run, \(model): \(perRun) (bound \(bound), \(engine.outputs.count) outputs)")
        // Steady state: every run allocates the same (no cache growth, no leaks), in any build.
        #expect(Set(counts).count == 1, "\(model): allocations differ between runs: \(counts)")
        #if DEBUG
        // Unoptimized builds call the standard library's unspecialized generics (reduce,
        // iterators), which box values on the heap: the bound holds for optimized builds,
        // checked with `swift test -c release --filter AllocationTests`.
        #else
        let detail = perRun <= Double(bound) ? "" : try stepAllocations(engine, feeds)
        #expect(perRun <= Double(bound), "\(model): \(perRun) allocations per run; by step: \(detail)")
        #endif
    }

    /// Which plan steps allocate (op type: count per run), for the failure message.
    func stepAllocations(_ engine: Engine, _ feeds: [String: Tensor]) throws -> String {
        let entry = try engine.planEntry(for: feeds)
        let session = try entry.checkout(), plan = entry.plan
        defer { entry.checkin(session) }
        _ = try session.run(feeds)   // loads the inputs into the arena, and warms every step
        var found: [String] = []
        for i in 0..<session.stepCount where plan.steps[i].isPrepared {
            let trace = ProcessInfo.processInfo.environment["TRACE_ALLOCATIONS"] == plan.steps[i].node.opType
            if trace { allocation_counter_trace(1) }
            allocation_counter_start()
            try session.runPreparedStep(i)
            let n = allocation_counter_stop()
            if trace { allocation_counter_trace(0) }
            if n > 0 { found.append("\(plan.steps[i].node.opType)#\(i): \(n)") }
        }
        return found.isEmpty ? "none (outside the kernels)" : found.joined(separator: ", ")
    }

    /// The counter itself sees an allocation, so a passing test above means something.
    @Test func counterSeesAllocations() {
        guard allocation_counter_available() != 0 else { return }
        allocation_counter_start()
        let t = Tensor(zeros: .float32, shape: [16])
        let n = allocation_counter_stop()
        #expect(t.count == 16)
        #expect(n >= 2)   // storage object + aligned bytes
    }
}
