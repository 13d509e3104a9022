import Foundation
import InferIR

/// One configuration under measurement: an engine (one optimization level), its inputs, and
/// what was measured before the timed loop (load time, first run, arena, FLOPs).
package final class BenchmarkTarget {
    /// "fused" or "unfused" in reports.
    package let label: String
    package let engine: Engine
    package let loadSeconds: Double
    package private(set) var feeds: [String: Tensor] = [:]
    package private(set) var firstRunSeconds: Double = .nan
    /// Arena of the planned program for these input shapes (nil at -O0: nothing is planned).
    package private(set) var arenaBytes: Int?
    /// Process peak RSS right after this target's first run.
    package private(set) var peakResidentBytes = 0
    /// FLOPs per run, from the cost model on the shape-inferred graph (nil when unknown).
    package var flopsPerRun: Int?
    package var samples: [Double] = []

    /// Loads (and compiles) the model, timing it.
    package init(label: String, url: URL, options: Engine.Options) throws {
        self.label = label
        (engine, loadSeconds) = try MonotonicClock.time {
            try Engine(contentsOf: url, options: options)
        }
    }

    package init(label: String, engine: Engine, loadSeconds: Double) {
        self.label = label
        self.engine = engine
        self.loadSeconds = loadSeconds
    }

    /// Binds the inputs and makes the first (cold) run: plan compilation for these shapes happens here.
    package func prepare(feeds: [String: Tensor]) throws {
        self.feeds = feeds
        firstRunSeconds = try MonotonicClock.time { try engine.run(feeds) }.1
        if engine.optimization != .none { arenaBytes = try engine.plan(for: feeds).memory.arenaBytes }
        peakResidentBytes = ResourceUsage.peakResidentBytes()
    }

    /// One timed inference, in seconds.
    @inline(__always)
    package func timedRun() throws -> Double {
        let start = MonotonicClock.nanoseconds()
        _ = try engine.run(feeds)
        return Double(MonotonicClock.nanoseconds() &- start) / 1e9
    }

    package var statistics: LatencyStatistics { LatencyStatistics(seconds: samples) }

    /// Achieved GFLOP/s at the median latency.
    package var gflops: Double? {
        guard let flops = flopsPerRun, flops > 0, let p50 = Optional(statistics.p50), p50 > 0 else { return nil }
        return Double(flops) / p50 / 1e9
    }

    /// FLOPs per run of `model` with its inputs bound to `feeds`' shapes (nil when shapes stay unknown).
    package static func flops(of model: Model, feeds: [String: Tensor]) -> Int? {
        guard let bound = try? boundModel(model, feeds: feeds) else { return nil }
        return try? CostModel.totalFLOPs(of: bound.graph)
    }

    /// `model` with inputs typed as the feeds and every value's type inferred.
    package static func boundModel(_ model: Model, feeds: [String: Tensor]) throws -> Model {
        var bound = model
        bound.graph.inputs = model.graph.inputs.map { info in
            feeds[info.name].map { ValueInfo(name: info.name, type: $0.type) } ?? info
        }
        bound.graph.valueInfo = [:]
        try ShapeInference.run(&bound, evaluate: NodeExecution.constantEvaluator)
        return bound
    }
}
