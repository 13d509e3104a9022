import InferIR

/// `fold-transpose-into-gemm`: a Transpose that swaps the last two dims of a GEMM operand becomes
/// the GEMM's transpose flag. Algebra: matmul(Xᵀ, B) = GEMM(transA = 1) on X's own layout (and
/// likewise for B), batch dims untouched. MatMul becomes Gemm when both operands are 2-D, else
/// `swiftinfer.FusedMatMul` with transA / transB. Transposes of constants were already folded
/// (pre-transposed weights) by fold-constants.
package struct FoldTransposeIntoGemm: Pass {
    package let name = "fold-transpose-into-gemm"
    package init() {}

    private typealias M = LinearFusionMatching

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        var changed = false
        var usesDomain = false
        var foldedAll: Set<String> = []
        var explained: Set<String> = []  // Transpose outputs with a decision
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            let isMatMul = M.isStandard(node) && node.opType == "MatMul"
            let isGemm = M.isStandard(node) && node.opType == "Gemm"
            let isFused = node.domain == M.domain && node.opType == "FusedMatMul"
            guard isMatMul || isGemm || isFused, node.inputs.count >= 2 else { continue }
            let kind = "transpose+\(node.opType.lowercased())"
            let transposes = (0..<2).compactMap { operand -> (operand: Int, node: Node)? in
                guard let t = graph.nodes.first(where: { $0.outputs.first == node.inputs[operand] }),
                      M.isStandard(t), t.opType == "Transpose" else { return nil }
                return (operand, t)
            }
            func decline(_ transpose: Node, _ reason: String) {
                explained.insert(transpose.outputs[0])
                context.declined(kind, by: self, at: transpose, because: reason)
            }
            if isMatMul, let y = node.outputs.first, feedsSoftmax(y, graph) {
                for t in transposes { decline(t.node, "the MatMul computes attention scores, left for fuse-attention") }
                continue
            }
            var rewritten = node
            var folded: [String] = []
            var foldedTransposes: [Node] = []
            for (operand, transpose) in transposes {
                let value = node.inputs[operand]
                guard let source = transpose.inputs.first, let rank = M.type(of: source, in: graph)?.rank, rank >= 2 else {
                    decline(transpose, "operand rank unknown")
                    continue
                }
                let perm = (try? transpose.ints("perm", default: Array((0..<rank).reversed()))) ?? []
                guard perm == Array(0..<(rank - 2)) + [rank - 1, rank - 2] else {
                    decline(transpose, "perm \(perm) does not swap the last two dims")
                    continue
                }
                if isGemm && rank != 2 {
                    decline(transpose, "Gemm operands are 2-D but this one is \(rank)-D")
                    continue
                }
                let flag = operand == 0 ? "transA" : "transB"
                let current = (try? rewritten.int(flag, default: 0)) ?? 0
                rewritten.attributes[flag] = .int(current == 0 ? 1 : 0)
                rewritten.inputs[operand] = source
                folded.append(value)
                foldedTransposes.append(transpose)
            }
            guard !folded.isEmpty else { continue }
            if isMatMul {
                let ranks = rewritten.inputs.prefix(2).map { M.type(of: $0, in: graph)?.rank }
                guard let dtype = M.type(of: rewritten.inputs[0], in: graph)?.dtype, dtype == .float32,
                      ranks.allSatisfy({ $0 != nil && $0! >= 2 }) else {
                    for t in foldedTransposes { decline(t, "needs float operands of known rank >= 2") }
                    continue
                }
                if ranks == [2, 2] {
                    rewritten.opType = "Gemm"
                } else {
                    rewritten.domain = M.domain
                    rewritten.opType = "FusedMatMul"
                    usesDomain = true
                }
            }
            graph.nodes[index] = rewritten
            changed = true
            for t in foldedTransposes {
                explained.insert(t.outputs[0])
                context.applied(kind, by: self, at: t, nodes: 2, into: rewritten)
            }
            foldedAll.formUnion(folded)
        }
        // Every other Transpose is explained too: nothing reads it as a GEMM operand.
        for t in graph.nodes where M.isStandard(t) && t.opType == "Transpose" && !explained.contains(t.outputs[0]) {
            let readers = graph.nodes.filter { $0.inputs.contains(t.outputs[0]) }.map { FusionDecision.describe($0) }
            context.declined("transpose+gemm", by: self, at: t,
                             because: readers.isEmpty ? "nothing reads it" : "read by \(readers.joined(separator: ", ")), not as a MatMul / Gemm operand")
        }
        if changed {
            // Transposes nobody reads any more go now, so the node count shows the fusion.
            let used = graph.usedValues
            graph.nodes.removeAll { M.isStandard($0) && $0.opType == "Transpose" && foldedAll.contains($0.outputs[0]) && !used.contains($0.outputs[0]) }
            model.graph = graph
            if usesDomain { M.importDomain(&model) }
        }
        return changed
    }

    /// Whether `value` reaches a Softmax through at most a few single-reader scale / mask steps:
    /// MatMul(Q, Kᵀ) of attention, which the attention fusion matches in its standard form.
    private func feedsSoftmax(_ value: String, _ graph: Graph) -> Bool {
        var current = value
        for _ in 0..<4 {
            let readers = graph.nodes.filter { $0.inputs.contains(current) }
            guard readers.count == 1, let reader = readers.first, M.isStandard(reader) else { return false }
            if reader.opType == "Softmax" { return true }
            guard ["Mul", "Div", "Add", "Where"].contains(reader.opType), let out = reader.outputs.first else { return false }
            current = out
        }
        return false
    }
}
