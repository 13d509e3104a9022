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

/// One fusion pass's verdict on one candidate node (the node its pattern is matched from: a
/// Softmax for attention, a MatMul for an epilogue, ...), for `compile --explain`.
package struct FusionDecision: Sendable, Equatable, CustomStringConvertible {
    package enum Verdict: Sendable, Equatable {
        /// `nodes` graph nodes became `result` (the fused node, as `op "name"`).
        case applied(nodes: Int, result: String)
        /// The first condition of the pattern that did not hold.
        case declined(reason: String)
    }

    package var pass: String
    /// The fusion kind (`attention`, `conv+bn`, `matmul+bias+relu`, ...).
    package var fusion: String
    /// The candidate node, as `op "name"` (or `op producing "output"` when it has no name).
    package var anchor: String
    package var verdict: Verdict

    package init(pass: String, fusion: String, anchor: Node, verdict: Verdict) {
        self.pass = pass
        self.fusion = fusion
        self.anchor = Self.describe(anchor)
        self.verdict = verdict
    }

    package var isApplied: Bool { if case .applied = verdict { true } else { false } }

    /// `fuse-attention: Softmax "p": attention applied, 6 nodes into swiftinfer.Attention "y"`
    /// or `fuse-attention: Softmax "p": attention not fused: mask shape unknown`.
    package var description: String {
        switch verdict {
        case .applied(let nodes, let result): "\(pass): \(anchor): \(fusion) applied, \(nodes) nodes into \(result)"
        case .declined(let reason): "\(pass): \(anchor): \(fusion) not fused: \(reason)"
        }
    }

    /// A node as `op "name"`, or `op producing "output"` when it has no name.
    package static func describe(_ node: Node) -> String {
        node.name.isEmpty ? "\(node.qualifiedOpType) producing \"\(node.outputs.first ?? "?")\"" : "\(node.qualifiedOpType) \"\(node.name)\""
    }
}

/// Shared state of one optimization run: the constant evaluator and what the passes report.
package final class PassContext: @unchecked Sendable {
    package let evaluate: ConstantEvaluator?
    /// Every fusion decision in the order made: one per candidate node a fusion pass looked at.
    package private(set) var decisions: [FusionDecision] = []

    package init(evaluate: ConstantEvaluator? = nil) {
        self.evaluate = evaluate
    }

    /// Fusions applied, by kind (`conv+bn`, `gemm+relu`, ...).
    package var fusions: [String: Int] {
        decisions.filter(\.isApplied).reduce(into: [:]) { $0[$1.fusion, default: 0] += 1 }
    }

    /// The declined decisions, as printed.
    package var declined: [String] { decisions.filter { !$0.isApplied }.map(\.description) }

    /// Records that `pass` fused `nodes` nodes, matched from `anchor`, into `result`.
    package func applied(_ fusion: String, by pass: some Pass, at anchor: Node, nodes: Int, into result: Node) {
        decisions.append(FusionDecision(pass: pass.name, fusion: fusion, anchor: anchor,
                                        verdict: .applied(nodes: nodes, result: FusionDecision.describe(result))))
    }

    /// Records that `pass` did not apply `fusion` at `anchor`, and the first condition that failed.
    package func declined(_ fusion: String, by pass: some Pass, at anchor: Node, because reason: String) {
        decisions.append(FusionDecision(pass: pass.name, fusion: fusion, anchor: anchor, verdict: .declined(reason: reason)))
    }
}
