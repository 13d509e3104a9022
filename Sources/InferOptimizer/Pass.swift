import InferIR

/// A graph-to-graph rewrite with a short kebab-case name (`fold-constants`), run by the
/// `PassManager`. A pass returns whether it changed anything, so canonicalization can run
/// to a fixed point.
package protocol Pass: Sendable {
    var name: String { get }
    func run(on model: inout Model, context: PassContext) throws -> Bool
}

/// Evaluates one node on constant inputs (injected by the runtime, which owns the kernels;
/// passes know nothing of BLAS).
package typealias ConstantEvaluator = NodeEvaluator

/// Shared state of one optimization run: the constant evaluator and what the passes report.
package final class PassContext: @unchecked Sendable {
    package let evaluate: ConstantEvaluator?
    /// Fusions applied, by kind (`conv+bn`, `gemm+relu`, ...).
    package private(set) var fusions: [String: Int] = [:]
    /// Fusions considered but not applied, with the reason (for `compile --explain`).
    package private(set) var declined: [String] = []

    package init(evaluate: ConstantEvaluator? = nil) {
        self.evaluate = evaluate
    }

    package func recordFusion(_ kind: String) { fusions[kind, default: 0] += 1 }
    package func recordDeclined(_ what: String) { declined.append(what) }
}
