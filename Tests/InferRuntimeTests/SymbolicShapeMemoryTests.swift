import Foundation
import Testing
@testable import InferRuntime

/// An engine with symbolic dims runs any binding, caches a bounded number of plans, and its
/// memory levels off when shapes keep changing (a second round of the same 50 shapes must
/// not grow the resident set by more than a few MB).
@Suite(.serialized) struct SymbolicShapeMemoryTests {
    static func residentKB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    @Test func fiftyBatchSizesKeepPlansAndMemoryBounded() throws {
        let capacity = 8
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"),
                                options: .init(threads: 1, planCacheCapacity: capacity))
        let batches = Array(1...50)
        func round() throws {
            for b in batches {
                let out = try engine.run(ModelFixtures.encoderInputs(batch: b, seed: UInt64(b)))
                #expect(out.values.allSatisfy { $0.shape.first == b })
                #expect(engine.planCount <= capacity)
            }
        }
        try round()
        let afterFirst = Self.residentKB()
        try round()
        let afterSecond = Self.residentKB()
        #expect(engine.planCount <= capacity)
        if let a = afterFirst, let b = afterSecond {
            print("VmRSS after round 1: \(a) kB, after round 2: \(b) kB, growth \(b - a) kB (\(batches.count) shapes, capacity \(capacity))")
            #expect(b - a < 16 * 1024, "resident set grew \(b - a) kB over a second round of the same shapes")
        }
    }
}
