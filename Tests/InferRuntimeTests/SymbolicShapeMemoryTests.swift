import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// An engine with symbolic dims runs any binding, caches a bounded number of plans, and frees
/// what it evicts: after 50 batch sizes through a cache of 8, exactly the 8 most recent plans
/// (with their session arenas) are alive, and every evicted one has been deallocated.
///
/// Checked with weak references rather than the process's resident set: tests run in
/// parallel in one process, so VmRSS moves with whatever the other suites allocate (it grew
/// 44 MB between two identical rounds in one CI run), while a weak reference is nil exactly
/// when nothing retains the object.
@Suite(.serialized) struct SymbolicShapeMemoryTests {
    private struct WeakEntry { weak var entry: PlanCache.Entry?; weak var plan: Program? }

    @Test func fiftyBatchSizesKeepPlansBoundedAndFreeEvictedOnes() throws {
        let capacity = 8
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"),
                                options: .init(threads: 1, planCacheCapacity: capacity))
        let batches = Array(1...50)
        var seen: [WeakEntry] = []
        for round in 0..<2 {
            seen.removeAll()
            for b in batches {
                let feeds = ModelFixtures.encoderInputs(batch: b, seed: UInt64(b))
                let out = try engine.run(feeds)
                #expect(out.values.allSatisfy { $0.shape.first == b })
                #expect(engine.planCount <= capacity)
                let entry = try engine.planEntry(for: feeds)
                #expect(entry.plan.dynamicStepCount == 0, "batch \(b) must run fully planned")
                #expect(entry.idleCount >= 1, "batch \(b): the run's session was not pooled")
                seen.append(WeakEntry(entry: entry, plan: entry.plan))
            }
            let alive = seen.indices.filter { seen[$0].entry != nil || seen[$0].plan != nil }
            #expect(alive == Array(batches.count - capacity..<batches.count),
                    "round \(round): plans alive for batches \(alive.map { batches[$0] }), expected the last \(capacity)")
        }
        #expect(engine.planCount == capacity)
    }
}
