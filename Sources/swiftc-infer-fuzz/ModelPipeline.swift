import Foundation
import InferIR
import InferRuntime

/// A model through everything the engine does with it: validation, the optimizer at the level
/// the input picks, lowering to a static plan and one run on seeded inputs of the declared
/// shapes (symbolic dims bound to 1).
enum ModelPipeline {
    /// The optimization level for an input: from its length, so replaying it picks the same one.
    static func level(for data: Data) -> OptimizationLevel {
        OptimizationLevel(rawValue: data.count % 3) ?? .full
    }

    static func run(_ model: Model, level: OptimizationLevel) throws {
        try runEngine(try Engine(model: model, options: options(level)))
    }

    /// Plans are read from a file (they are memory-mapped): one per process, rewritten each time.
    static func runPlan(_ data: Data) throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("swiftc-infer-fuzz-\(getpid()).plan")
        try? data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        try runEngine(try Engine(contentsOf: url, options: options(.full)))
    }

    private static func options(_ level: OptimizationLevel) -> Engine.Options {
        Engine.Options(threads: 1, optimization: level, planCacheCapacity: 1, maxIdleSessions: 1, limits: FuzzTarget.limits)
    }

    private static func runEngine(_ engine: Engine) throws {
        var dims: [String: Int] = [:]
        for input in engine.inputs {
            for (k, dim) in (input.type.shape ?? []).enumerated() {
                switch dim {
                case .symbol(let s): dims[s] = 1
                case .unknown: dims["\(input.name)[\(k)]"] = 1
                case .value: break
                }
            }
        }
        // Inputs of unknown rank cannot be made up: such a model stops here.
        guard let feeds = try? BenchmarkInputs.make(for: engine.inputs, in: engine.model, given: [:], dims: dims) else { return }
        FuzzStats.shared.reachedRun += 1
        _ = try engine.run(feeds)
        FuzzStats.shared.ranClean += 1
    }
}
