import Foundation
import Testing
import InferIR
@testable import InferRuntime

@Suite struct BenchmarkStatisticsTests {
    @Test func percentilesOfKnownSamples() {
        // 1...100 ms, shuffled: linear interpolation between ranks (NumPy's default).
        let samples = (1...100).map { Double($0) / 1000 }.shuffled()
        let s = LatencyStatistics(seconds: samples)
        #expect(s.count == 100)
        #expect(s.min == 0.001)
        #expect(s.max == 0.1)
        #expect(abs(s.p50 - 0.0505) < 1e-12)
        #expect(abs(s.p90 - 0.0901) < 1e-12)
        #expect(abs(s.p99 - 0.09901) < 1e-12)
        #expect(abs(s.mean - 0.0505) < 1e-12)
        #expect(abs(s.throughputPerSecond - 1 / 0.0505) < 1e-9)
    }

    @Test(arguments: [[5.0], [3.0, 1.0], [1, 1, 1, 1], [0.5, 9, 2, 2, 7, 0.1, 100]])
    func orderingHolds(_ samples: [Double]) {
        let s = LatencyStatistics(seconds: samples)
        #expect(s.min <= s.p50)
        #expect(s.p50 <= s.p90)
        #expect(s.p90 <= s.p99)
        #expect(s.p99 <= s.max)
        #expect(s.min == samples.min())
        #expect(s.max == samples.max())
        #expect(s.percentile(0) == s.min)
        #expect(s.percentile(100) == s.max)
    }

    @Test func emptyAndNonFiniteSamples() {
        let empty = LatencyStatistics(seconds: [])
        #expect(empty.count == 0)
        #expect(empty.p50.isNaN)
        let s = LatencyStatistics(seconds: [.nan, 2, .infinity, 1])
        #expect(s.count == 2)
        #expect(s.p50 == 1.5)
    }
}

@Suite struct BenchmarkInputsTests {
    static let model = """
    <ir_version: 8, opset_import: ["" : 17]>
    embed (int64[B,S] ids, int64[B,S] mask, float[B,4] x) => (float[B,S,3] y, float[B,4] z) <float[10,3] table = {0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29}> {
        y = Gather (table, ids)
        z = Relu (x)
    }
    """

    @Test func randomInputsBindDimsAndRespectIndexBounds() throws {
        let model = try ONNXTextParser.parseModel(Self.model)
        let engine = try Engine(model: model, optimization: .none)
        let feeds = try BenchmarkInputs.make(for: engine.inputs, in: engine.model, given: [:], dims: ["B": 2, "S": 50])
        #expect(feeds["ids"]?.shape == [2, 50])
        let ids = feeds["ids"]!.intValues()
        #expect(ids.allSatisfy { (0..<10).contains($0) })
        #expect(Set(ids).count > 3, "indices should vary")
        #expect(feeds["mask"]!.intValues().allSatisfy { $0 == 1 })
        let x = feeds["x"]!.doubleValues()
        #expect(x.allSatisfy { $0 >= -1 && $0 < 1 })
        // Seeded: the same call gives the same data.
        let again = try BenchmarkInputs.make(for: engine.inputs, in: engine.model, given: [:], dims: ["B": 2, "S": 50])
        #expect(again["x"] == feeds["x"])
        _ = try engine.run(feeds)
    }

    @Test func givenTensorsBindSymbols() throws {
        let model = try ONNXTextParser.parseModel(Self.model)
        let engine = try Engine(model: model, optimization: .none)
        let ids = try Tensor(shape: [3, 2], scalars: [Int64](repeating: 0, count: 6))
        let feeds = try BenchmarkInputs.make(for: engine.inputs, in: engine.model, given: ["ids": ids], dims: [:])
        #expect(feeds["ids"] == ids)
        #expect(feeds["mask"]?.shape == [3, 2])
        #expect(feeds["x"]?.shape == [3, 4])
    }

    @Test func unboundSymbolsAreListed() throws {
        let model = try ONNXTextParser.parseModel(Self.model)
        let engine = try Engine(model: model, optimization: .none)
        #expect {
            try BenchmarkInputs.make(for: engine.inputs, in: engine.model, given: [:], dims: ["B": 1])
        } throws: { error in
            let text = "\(error)"
            return error is BenchmarkInputs.UnboundDims && text.contains("S") && text.contains("--dim S=VALUE") && !text.contains("--dim B")
        }
    }
}
