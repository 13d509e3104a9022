import InferIR
import Testing
@testable import InferOptimizer

@Suite struct MemoryPlannerTests {
    typealias Buffer = MemoryPlanner.Buffer

    /// No two buffers whose lifetimes overlap may overlap in memory.
    func expectValid(_ buffers: [Buffer], _ plan: MemoryPlanner.Plan, sourceLocation: SourceLocation = #_sourceLocation) {
        for i in buffers.indices {
            for j in buffers.indices where i < j && buffers[i].size > 0 && buffers[j].size > 0 {
                let a = buffers[i], b = buffers[j]
                let liveTogether = a.firstUse <= b.lastUse && b.firstUse <= a.lastUse
                let overlap = plan.offsets[i] < plan.offsets[j] + b.size && plan.offsets[j] < plan.offsets[i] + a.size
                #expect(!(liveTogether && overlap), "buffers \(i) and \(j) collide", sourceLocation: sourceLocation)
            }
            #expect(plan.offsets[i] % 64 == 0, sourceLocation: sourceLocation)
            #expect(plan.offsets[i] + buffers[i].size <= plan.arenaBytes || buffers[i].size == 0, sourceLocation: sourceLocation)
        }
        #expect(plan.arenaBytes >= plan.lowerBoundBytes, sourceLocation: sourceLocation)
    }

    @Test func chainReusesMemory() throws {
        // a -> b -> c -> d, each read only by the next step: two buffers suffice.
        let buffers = (0..<4).map { Buffer(firstUse: $0, lastUse: $0 + 1, size: 1024) }
        let plan = try MemoryPlanner.plan(buffers)
        expectValid(buffers, plan)
        #expect(plan.arenaBytes == 2048)
        #expect(plan.unplannedBytes == 4096)
        #expect(plan.lowerBoundBytes == 2048)
    }

    @Test func residualKeepsSkipAlive() throws {
        let buffers = [
            Buffer(firstUse: 0, lastUse: 3, size: 4096),  // skip connection
            Buffer(firstUse: 1, lastUse: 2, size: 4096),
            Buffer(firstUse: 2, lastUse: 3, size: 4096),
            Buffer(firstUse: 3, lastUse: 4, size: 4096),
        ]
        let plan = try MemoryPlanner.plan(buffers)
        expectValid(buffers, plan)
        #expect(plan.arenaBytes == plan.lowerBoundBytes)
    }

    @Test func randomLifetimesStayValidAndNearTheBound() throws {
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<50 {
            let buffers = (0..<40).map { _ -> Buffer in
                let start = next(30)
                return Buffer(firstUse: start, lastUse: start + next(6), size: 64 * (1 + next(64)))
            }
            let plan = try MemoryPlanner.plan(buffers)
            expectValid(buffers, plan)
            #expect(Double(plan.arenaBytes) <= 1.6 * Double(plan.lowerBoundBytes))
        }
    }

    @Test func emptyAndZeroSized() throws {
        #expect(try MemoryPlanner.plan([]).arenaBytes == 0)
        let plan = try MemoryPlanner.plan([Buffer(firstUse: 0, lastUse: 0, size: 0)])
        #expect(plan.arenaBytes == 0)
    }

    @Test func overflowingSizesAreAnErrorNotATrap() {
        let huge = [Buffer(firstUse: 0, lastUse: 1, size: Int.max - 8), Buffer(firstUse: 1, lastUse: 2, size: Int.max - 8)]
        let error = #expect(throws: InferError.self) { try MemoryPlanner.plan(huge) }
        #expect(error?.message.hasPrefix("memory plan: a buffer's aligned size overflows") == true, "\(String(describing: error))")
    }
}
