import Foundation
import InferIR

/// One optimized form of an engine's model, ready to run: the graph as it runs, its `.dynamic`
/// program (the `-O0` path, and the rerun when a planned shape proves wrong) and its cache of
/// `.planned` programs by concrete input shapes. Immutable apart from the thread-safe cache.
///
/// An engine usually has one. A model whose inputs have defaults gets one more per set of
/// defaults the callers actually feed (see `InputDefaults`): each compiled with exactly those
/// inputs live and every other default folded.
package final class CompiledModel: Sendable {
    package let model: Model
    /// What the optimizer did (nil at `-O0` and for a loaded plan).
    package let report: CompilationReport?
    let optimization: OptimizationLevel
    let dynamic: Program
    let plans: PlanCache
    let threads: Int

    init(model: Model, report: CompilationReport?, options: Engine.Options, threads: Int) throws {
        self.model = model
        self.report = report
        optimization = options.optimization
        self.threads = threads
        dynamic = try Program(model: model, layout: .dynamic, threads: threads)
        plans = PlanCache(capacity: options.planCacheCapacity, maxIdleSessions: options.maxIdleSessions)
    }

    /// Runs feeds already validated against the engine's signature.
    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        if optimization == .none { return try dynamic.run(inputs) }
        let entry = try planEntry(for: inputs)
        let session = try entry.checkout()
        defer { entry.checkin(session) }
        do {
            return try session.run(inputs)
        } catch is Program.PlannedShapeMismatch {
            // A step computed another shape than the plan's (see `NestedProgramStep`): nothing
            // was returned yet, so these inputs simply run again with nothing planned.
            return try dynamic.run(inputs)
        }
    }

    /// The cache entry (plan + session pool) for these input shapes, building it on first use.
    func planEntry(for inputs: [String: Tensor]) throws -> PlanCache.Entry {
        try plans.entry(for: inputs, of: model.graph) { try buildPlan(for: inputs) }
    }

    /// The planned program for these input shapes (values whose shape is only known at run time
    /// get registers there).
    private func buildPlan(for inputs: [String: Tensor]) throws -> Program {
        var bound = model
        bound.graph.inputs = model.graph.inputs.map { info in
            guard let t = inputs[info.name] else { return info }
            return ValueInfo(name: info.name, type: ValueType(dtype: t.dtype, dims: t.shape))
        }
        let shapesChanged = zip(bound.graph.inputs, model.graph.inputs).contains { $0.type != $1.type }
        bound.graph.valueInfo = [:]
        // Now that every dim is known, shape subgraphs fold to constants (nothing new to fold
        // when the model was static already: it left the optimizer at a fixed point).
        if optimization != .none && shapesChanged { bound = try Compiler.optimize(bound, level: .canonicalize).0 }
        return try Program(model: bound, layout: .planned, threads: threads)
    }
}
