import Foundation
import InferIR
import InferOptimizer

/// Optimization levels: `-O0` runs the graph as imported, `-O1` canonicalizes
/// (dead code, identities, constant folding, CSE), `-O2` also fuses.
///
/// ```swift
/// let reference = try Engine(contentsOf: url, optimization: .none)   // the graph as imported
/// let fast = try Engine(contentsOf: url, optimization: .full)        // canonicalized and fused
/// ```
public enum OptimizationLevel: Int, Sendable, CaseIterable {
    /// `-O0`: the graph as imported, node by node as a `.dynamic` program (the reference path).
    case none = 0
    /// `-O1`: dead code, identities, constant folding and CSE to a fixed point; static plans.
    case canonicalize = 1
    /// `-O2`, the default: `-O1` plus the fusions.
    case full = 2
}

/// What compiling did: per pass its time and node count, fusions by kind, declined fusions.
///
/// ```swift
/// let (optimized, report) = try Compiler.optimize(model, level: .full)
/// print("\(report.nodesBefore) -> \(report.nodesAfter) nodes, fusions: \(report.fusions)")
/// for pass in report.passes { print(pass.name, pass.milliseconds) }
/// ```
package struct CompilationReport: Sendable {
    package struct PassRecord: Sendable {
        package let name: String
        package let milliseconds: Double
        package let nodesAfter: Int
    }

    package let nodesBefore: Int
    package let nodesAfter: Int
    package let opsAfter: [String: Int]
    package let passes: [PassRecord]
    package let fusions: [String: Int]
    package let declined: [String]
    /// Graph inputs with a default (an initializer of the same name) that were compiled as
    /// constants because the caller does not feed them; sorted.
    package let foldedInputDefaults: [String]
    /// One line per candidate node a fusion pass looked at: the fusion applied, or why not (`compile --explain`).
    package let decisions: [String]
}

/// Runs the optimizer pipeline of a level on a model.
///
/// ```swift
/// let imported = try Engine(contentsOf: url, optimization: .none).model
/// let (optimized, report) = try Compiler.optimize(imported, level: .full)
/// let engine = try Engine(model: optimized, optimization: .none)   // already optimized
/// ```
package enum Compiler {
    /// Optimizes `model` at `level`. A graph input that has an initializer of the same name (a
    /// default, see `InputDefaults`) is compiled as a constant unless it is named in
    /// `liveInputs`: the returned model no longer lists the folded ones as inputs, so a caller
    /// who wants to feed one compiles again with it in `liveInputs` (`Engine` does that itself).
    /// With `precision` bf16 or int8, GEMMs with constant weights are converted last
    /// (`ConvertWeightsToReducedPrecision`).
    package static func optimize(_ model: Model, level: OptimizationLevel, precision: Precision = .fp32,
                                liveInputs: Set<String> = []) throws -> (Model, CompilationReport) {
        let folded = model.graph.defaultedInputNames.filter { !liveInputs.contains($0) }
        var optimized = model.resolvingInputDefaults(live: liveInputs)
        let context = PassContext(evaluate: NodeExecution.constantEvaluator)
        var manager = PassManager(pipeline: .forLevel(level.rawValue, precision: precision))
        try manager.run(&optimized, context: context)
        let ops = Dictionary(grouping: optimized.graph.nodes, by: \.qualifiedOpType).mapValues(\.count)
        let report = CompilationReport(
            nodesBefore: model.graph.nodes.count, nodesAfter: optimized.graph.nodes.count, opsAfter: ops,
            passes: manager.records.map { .init(name: $0.name, milliseconds: $0.milliseconds, nodesAfter: $0.nodesAfter) },
            fusions: context.fusions, declined: context.declined, foldedInputDefaults: folded,
            decisions: context.decisions.map(\.description))
        return (optimized, report)
    }
}
