import InferIR

/// `fuse-attention`: MatMul(Softmax(masks(MatMul(Q, Kᵀ) · s), axis=-1), V) is
/// swiftinfer.Attention(Q, K, V, masks..., scale=s): the same products, one kernel, no [S, S]
/// intermediates in the arena. Matched from each Softmax, walking up from its input:
///
/// - masks, in graph order: `Add(scores, bias)` (a float bias: padding mask, relative-position
///   bias, an Add of -inf triangles), `Where(keep, scores, fill)` and `Where(drop, fill, scores)`
///   (`masked_fill`) with a scalar fill; any number of them, in any order;
/// - the scale: a scalar Mul or Div on the scores, on Q, on K or on Kᵀ (scaling a factor scales
///   the product; PyTorch's SDPA export puts √s on both Q and Kᵀ);
/// - Kᵀ: a Transpose swapping the last two axes of K (read K itself), a product that transposes K
///   inside (swiftinfer.FusedMatMul transB = 1), else K is passed as already transposed (e.g.
///   Transpose perm [0, 2, 3, 1] straight from the head split);
/// - after the Softmax, optionally `Where(IsNaN(p), 0, p)`, PyTorch SDPA's fully-masked-row guard.
///
/// ONNX's own Attention op (opset 23+) is lowered to the same node (`FuseAttention+StandardOp`).
package struct FuseAttention: Pass {
    package let name = "fuse-attention"
    package init() {}

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        var rewriter = FusionRewriter()
        for (i, node) in model.graph.nodes.enumerated() {
            let kind: String, outcome: Result<AttentionMatch, AttentionMismatch>
            if node.isStandard("Softmax") {
                (kind, outcome) = ("attention", Result { try matchSoftmax(i, view) }.mapError(AttentionMismatch.from))
            } else if node.isStandard("Attention") {
                (kind, outcome) = ("onnx-attention", Result { try lowerStandardAttention(i, view) }.mapError(AttentionMismatch.from))
            } else {
                continue
            }
            switch outcome {
            case .success(let m):
                if rewriter.replace(m.nodes, root: m.root, with: m.fused, editing: m.edits) {
                    context.applied(kind, by: self, at: node, nodes: m.nodes.count, into: m.fused)
                } else {
                    context.declined(kind, by: self, at: node, because: "overlaps an attention fused earlier")
                }
            case .failure(let mismatch):
                context.declined(kind, by: self, at: node, because: mismatch.reason)
            }
        }
        return try rewriter.apply(to: &model, context: context)
    }

    struct AttentionMatch {
        var nodes: Set<Int>
        var root: Int
        var fused: Node
        var edits: [Int: Node] = [:]
    }

    /// The first condition of the pattern that failed.
    struct AttentionMismatch: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }

        static func from(_ error: any Error) -> AttentionMismatch {
            error as? AttentionMismatch ?? AttentionMismatch("\(error)")
        }
    }

    // MARK: - Softmax patterns

    private func matchSoftmax(_ softmaxIndex: Int, _ view: FusionPatternView) throws -> AttentionMatch {
        let softmax = view.node(softmaxIndex)
        let logits = softmax.inputs[0]
        let logitsRank = view.rank(logits)
        let axis = (try? softmax.int("axis", default: view.opset >= 13 ? -1 : 1)) ?? 1
        guard axis == -1 || logitsRank.map({ axis == $0 - 1 }) == true else {
            throw AttentionMismatch(logitsRank == nil ? "Softmax input rank unknown" : "Softmax over axis \(axis), not the last")
        }
        var nodes: Set<Int> = [softmaxIndex]
        var attributes = FusedAttentionAttributes()

        // Softmax → [Where(IsNaN(p), 0, p)] → MatMul(·, V)
        var probabilities = softmax.outputs[0]
        if let guarded = nanGuard(after: probabilities, view) {
            nodes.formUnion(guarded.nodes)
            probabilities = guarded.output
            attributes.zeroNaNProbabilities = true
        }
        guard let (rootIndex, root) = view.soleReader(of: probabilities, ["MatMul"]), root.inputs[0] == probabilities else {
            throw AttentionMismatch("the probabilities are not read by one MatMul(·, V) alone")
        }
        nodes.insert(rootIndex)
        let value = root.inputs[1]

        // Masks, walked up from the Softmax input (so collected last to first).
        var scores = logits
        var masks: [(kind: FusedAttentionAttributes.Mask, value: String)] = []
        while let step = try maskStep(producing: scores, view) {
            masks.insert((step.kind, step.mask), at: 0)
            nodes.insert(step.index)
            scores = step.scores
        }
        attributes.masks = masks.map(\.kind)

        // Scale on the scores, then the product.
        var scale = 1.0
        while let (i, node) = view.producer(scores, ["Div", "Mul"]) {
            guard let (operand, factor) = scalarFactor(node, view) else {
                throw AttentionMismatch("\(FusionDecision.describe(node)) on the scores is not by a scalar constant")
            }
            scale *= factor
            scores = operand
            nodes.insert(i)
        }
        guard let (productIndex, product, transposesK) = scoreProduct(scores, view) else {
            let found = view.producer(scores).map { FusionDecision.describe($0.node) } ?? "a graph input or constant"
            throw AttentionMismatch("the scores come from \(found), not MatMul(Q, Kᵀ)")
        }
        nodes.insert(productIndex)

        // Scale pre-applied to Q (scalar Mul/Div read only here).
        var query = product.inputs[0]
        peelScale(&query, &scale, &nodes, view)
        // Kᵀ, possibly scaled itself; a Transpose swapping the last two axes reads K, else K is given transposed.
        var keyT = product.inputs[1]
        peelScale(&keyT, &scale, &nodes, view)
        var key = keyT
        attributes.kTransposed = !transposesK  // FusedMatMul(Q, K, transB = 1) reads K itself
        if !transposesK, let (t, transpose) = view.producer(keyT, ["Transpose"]), let perm = try? transpose.ints("perm"), swapsLastTwo(perm),
           view.soleReader(of: keyT) != nil {
            key = transpose.inputs[0]
            attributes.kTransposed = false
            nodes.insert(t)
            peelScale(&key, &scale, &nodes, view)
        }
        attributes.scale = Float(scale)

        for (name, v) in [("Q", query), ("K", key), ("V", value)] {
            guard let t = view.type(v), let rank = t.rank else { throw AttentionMismatch("\(name) rank unknown") }
            guard rank >= 2 else { throw AttentionMismatch("\(name) has rank \(rank) < 2") }
            guard t.dtype == .float32 else { throw AttentionMismatch("\(name) is \(t.dtype), not float32") }
        }
        let edits = try closedIntermediates(nodes, root: rootIndex, query: query, view)
        for input in [query, key, value] + masks.map(\.value) {
            if let p = view.producer(input), nodes.contains(p.index) {
                throw AttentionMismatch("\"\(input)\" is both inside the pattern and one of its operands")
            }
        }
        let fused = Node(name: root.name, opType: "Attention", domain: FusedTransformerOperators.domain,
                         inputs: [query, key, value] + masks.map(\.value), outputs: [root.outputs[0]],
                         attributes: attributes.attributes)
        return AttentionMatch(nodes: nodes, root: rootIndex, fused: fused, edits: edits)
    }

    /// One mask between the product and the Softmax, producing `value`: nil when `value` is not
    /// an Add / Where over something that leads to the scores.
    private func maskStep(producing value: String, _ view: FusionPatternView) throws
        -> (index: Int, kind: FusedAttentionAttributes.Mask, scores: String, mask: String)? {
        if let (i, add) = view.producer(value, ["Add"]), add.inputs.count == 2 {
            guard let side = [0, 1].first(where: { leadsToScores(add.inputs[$0], view) }) else { return nil }
            let (scores, mask) = (add.inputs[side], add.inputs[1 - side])
            guard let t = view.type(mask), t.shape != nil else { throw AttentionMismatch("mask shape unknown") }
            guard t.dtype == .float32 else { throw AttentionMismatch("the added mask is \(t.dtype), not float32") }
            return (i, .add, scores, mask)
        }
        guard let (i, select) = view.producer(value, ["Where"]), select.inputs.count == 3 else { return nil }
        let (condition, then, otherwise) = (select.inputs[0], select.inputs[1], select.inputs[2])
        let keeps: Bool
        if leadsToScores(then, view) {
            keeps = true
        } else if leadsToScores(otherwise, view) {
            keeps = false
        } else {
            return nil
        }
        let (scores, fillValue) = keeps ? (then, otherwise) : (otherwise, then)
        guard let fill = view.scalar(fillValue, within: view.rank(scores)), view.type(fillValue)?.dtype == .float32 else {
            throw AttentionMismatch("Where's fill value is not a float32 scalar constant")
        }
        guard let t = view.type(condition), t.shape != nil else { throw AttentionMismatch("mask shape unknown") }
        guard t.dtype == .bool else { throw AttentionMismatch("Where's condition is \(t.dtype), not bool") }
        return (i, keeps ? .keep(fill: Float(fill)) : .drop(fill: Float(fill)), scores, condition)
    }

    /// Whether `value` is computed from a MatMul through at most a few mask and scale steps.
    private func leadsToScores(_ value: String, _ view: FusionPatternView, depth: Int = 6) -> Bool {
        guard depth > 0, let (_, node) = view.producer(value) else { return false }
        guard node.isStandard else { return false }
        if scoreProduct(value, view) != nil { return true }
        switch node.opType {
        case "Mul", "Div": return scalarFactor(node, view).map { leadsToScores($0.operand, view, depth: depth - 1) } ?? false
        case "Add": return node.inputs.contains { leadsToScores($0, view, depth: depth - 1) }
        case "Where": return node.inputs.dropFirst().contains { leadsToScores($0, view, depth: depth - 1) }
        default: return false
        }
    }

    /// The product Q·Kᵀ producing `value`: a MatMul, or a swiftinfer.FusedMatMul that only transposes
    /// its second operand (K transposed inside the product, `transposesK`).
    private func scoreProduct(_ value: String, _ view: FusionPatternView) -> (index: Int, node: Node, transposesK: Bool)? {
        guard let (i, node) = view.producer(value) else { return nil }
        if node.isStandard("MatMul") { return (i, node, false) }
        guard node.domain == FusedTransformerOperators.domain, node.opType == "FusedMatMul", node.inputs.count == 2,
              Set(node.attributes.keys).isSubset(of: ["transA", "transB"]), (try? node.int("transA", default: 0)) == 0,
              let transB = try? node.int("transB", default: 0) else { return nil }
        return (i, node, transB != 0)
    }

    /// `Where(IsNaN(p), 0, p)` reading the probabilities: its nodes and output.
    private func nanGuard(after p: String, _ view: FusionPatternView) -> (nodes: Set<Int>, output: String)? {
        let readers = view.readers(of: p)
        guard readers.count == 2, !view.isExported(p),
              let isNaN = readers.first(where: { view.node($0).isStandard("IsNaN") }),
              let (whereIndex, select) = view.soleReader(of: view.node(isNaN).outputs[0], ["Where"]),
              readers.contains(whereIndex), select.inputs.count == 3,
              select.inputs[0] == view.node(isNaN).outputs[0], select.inputs[2] == p,
              view.scalar(select.inputs[1], within: view.rank(p)) == 0 else { return nil }
        return ([isNaN, whereIndex], select.outputs[0])
    }

    /// Folds scalar Mul/Div steps producing `value` (each read only by the pattern) into `scale`.
    private func peelScale(_ value: inout String, _ scale: inout Double, _ nodes: inout Set<Int>, _ view: FusionPatternView) {
        while let (i, node) = view.producer(value, ["Div", "Mul"]), view.soleReader(of: value) != nil,
              let (operand, factor) = scalarFactor(node, view) {
            scale *= factor
            value = operand
            nodes.insert(i)
        }
    }

    /// Checks that what the fusion removes is read only inside it; the exception is a Shape of the
    /// scores sizing a causal mask, redirected to Q (returned as edits).
    private func closedIntermediates(_ nodes: Set<Int>, root: Int, query: String, _ view: FusionPatternView) throws -> [Int: Node] {
        var shapeEdits: [Int: Node] = [:]
        for i in nodes where i != root {
            let v = view.node(i).outputs[0]
            guard !view.isExported(v) else { throw AttentionMismatch("intermediate \"\(v)\" is a graph output") }
            for r in view.readers(of: v) where !nodes.contains(r) {
                guard let edited = shapeReadingRows(r, of: v, from: query, view) else {
                    throw AttentionMismatch("intermediate \"\(v)\" is also read by \(FusionDecision.describe(view.node(r)))")
                }
                shapeEdits[r] = edited
            }
        }
        return shapeEdits
    }

    /// Exporters size a causal mask from Shape(scores)[-2]; the scores' row count is Q's, so such a
    /// Shape (every reader a Gather of index rank-2 or -2) can read Q when Q has the scores' rank.
    private func shapeReadingRows(_ reader: Int, of scores: String, from query: String, _ view: FusionPatternView) -> Node? {
        var shape = view.node(reader)
        guard shape.isStandard("Shape"), shape.attributes.isEmpty, let rank = view.rank(scores), view.rank(query) == rank,
              !view.isExported(shape.outputs[0]) else { return nil }
        for g in view.readers(of: shape.outputs[0]) {
            let gather = view.node(g)
            guard gather.isStandard("Gather"), gather.inputs[0] == shape.outputs[0], (try? gather.int("axis", default: 0)) == 0,
                  let indices = view.graph.constant(gather.inputs[1]), indices.dtype.isInteger,
                  indices.intValues().allSatisfy({ $0 == rank - 2 || $0 == -2 }) else { return nil }
        }
        shape.inputs = [query]
        return shape
    }

    /// For `a / c` or `a · c` (either order) with a scalar constant c: a and the factor (1/c or c).
    private func scalarFactor(_ node: Node, _ view: FusionPatternView) -> (operand: String, factor: Double)? {
        guard node.inputs.count == 2 else { return nil }
        if node.opType == "Div" {
            guard let c = view.scalar(node.inputs[1], within: view.rank(node.inputs[0])), c != 0 else { return nil }
            return (node.inputs[0], 1 / c)
        }
        for (a, b) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
            if let c = view.scalar(b, within: view.rank(a)) { return (a, c) }
        }
        return nil
    }

    private func swapsLastTwo(_ perm: [Int]) -> Bool {
        let r = perm.count
        guard r >= 2 else { return false }
        return perm == Array(0..<(r - 2)) + [r - 1, r - 2]
    }
}
