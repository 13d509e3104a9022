import InferIR

/// `fuse-attention`: MatMul(Softmax(mask(MatMul(Q, Kᵀ) · s), axis=-1), V) is
/// swiftinfer.Attention(Q, K, V [, mask], scale=s): the same products, one kernel, no [S, S]
/// intermediates in the arena. s comes from a Div by c (s = 1/c) or Mul by c on the scores, or on Q
/// or K before the product (scaling either factor scales the product). The mask is an Add of a
/// tensor or Where(cond, scores, fill) with a scalar fill. Kᵀ is a Transpose swapping the last two
/// axes of K (read directly) or any other value (passed as already transposed).
package struct FuseAttention: Pass {
    package let name = "fuse-attention"
    package init() {}

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        var rewriter = FusionRewriter()
        for (i, node) in model.graph.nodes.enumerated() where node.isStandard("Softmax") && !rewriter.isClaimed(i) {
            switch match(softmax: i, view) {
            case .success(let m):
                if rewriter.replace(m.nodes, root: m.root, with: m.fused, editing: m.edits) { context.recordFusion("attention") }
            case .failure(let reason):
                if let reason { context.recordDeclined("attention at node \(view.label(i)) not fused: \(reason)") }
            }
        }
        return try rewriter.apply(to: &model, context: context)
    }

    private struct Match {
        var nodes: Set<Int>
        var root: Int
        var fused: Node
        var edits: [Int: Node]
    }

    /// A reason to report, or nil when the Softmax is not attention-shaped at all (nothing to explain).
    private struct Declined: Error {
        var reason: String?
    }

    private enum Outcome {
        case success(Match)
        case failure(String?)
    }

    private func match(softmax softmaxIndex: Int, _ view: FusionPatternView) -> Outcome {
        do {
            return .success(try matchOrThrow(softmaxIndex, view))
        } catch let declined as Declined {
            return .failure(declined.reason)
        } catch {
            return .failure(nil)
        }
    }

    private func matchOrThrow(_ softmaxIndex: Int, _ view: FusionPatternView) throws -> Match {
        let softmax = view.node(softmaxIndex)
        let probabilities = softmax.outputs[0]
        // Softmax → MatMul(·, V)
        guard let (rootIndex, root) = view.soleReader(of: probabilities, ["MatMul"]), root.inputs[0] == probabilities else {
            throw Declined(reason: nil)
        }
        let value = root.inputs[1]
        var nodes: Set<Int> = [softmaxIndex, rootIndex]
        let logits = softmax.inputs[0]
        let logitsRank = view.rank(logits)
        let axis = (try? softmax.int("axis", default: view.opset >= 13 ? -1 : 1)) ?? 1
        guard axis == -1 || (logitsRank.map { axis == $0 - 1 } ?? false) else {
            throw Declined(reason: logitsRank == nil ? "softmax input rank unknown" : nil)
        }

        // Optional mask: Add(scores, mask) or Where(cond, scores, fill).
        var scores = logits
        var maskKind = "none", mask: String?, fill: Float = 0
        if let (addIndex, add) = view.producer(logits, ["Add"]), add.inputs.count == 2 {
            let (s, m) = isScoreChain(add.inputs[0], view) ? (add.inputs[0], add.inputs[1]) : (add.inputs[1], add.inputs[0])
            guard isScoreChain(s, view) else { throw Declined(reason: nil) }
            guard let maskType = view.type(m), maskType.shape != nil else { throw Declined(reason: "mask shape unknown") }
            guard maskType.dtype == .float32 else { throw Declined(reason: "mask is not float32") }
            scores = s
            maskKind = "add"
            mask = m
            nodes.insert(addIndex)
        } else if let (whereIndex, select) = view.producer(logits, ["Where"]), select.inputs.count == 3 {
            guard isScoreChain(select.inputs[1], view) else { throw Declined(reason: nil) }
            guard let f = view.scalar(select.inputs[2], within: logitsRank) else {
                throw Declined(reason: "Where's else-branch is not a scalar constant")
            }
            guard let condType = view.type(select.inputs[0]), condType.shape != nil else { throw Declined(reason: "mask shape unknown") }
            guard condType.dtype == .bool, view.type(select.inputs[2])?.dtype == .float32 else {
                throw Declined(reason: "Where's condition is not bool or its values are not float32")
            }
            scores = select.inputs[1]
            maskKind = "where"
            mask = select.inputs[0]
            fill = Float(f)
            nodes.insert(whereIndex)
        }
        guard isScoreChain(scores, view) else { throw Declined(reason: nil) }

        // Scale on the scores: Div by c or Mul by c.
        var scale = 1.0
        var product = scores
        if let (scaleIndex, scaleNode) = view.producer(scores, ["Div", "Mul"]) {
            guard let (operand, factor) = scalarFactor(scaleNode, view) else { throw Declined(reason: "scale is not a scalar constant") }
            scale *= factor
            product = operand
            nodes.insert(scaleIndex)
        }
        guard let (productIndex, matmul) = view.producer(product, ["MatMul"]) else { throw Declined(reason: nil) }
        nodes.insert(productIndex)
        var query = matmul.inputs[0], keyT = matmul.inputs[1]

        // Scale pre-applied to Q (or K, below): a scalar Mul/Div read only here.
        if let (i, node) = view.producer(query, ["Div", "Mul"]), view.soleReader(of: query) != nil,
           let (operand, factor) = scalarFactor(node, view) {
            scale *= factor
            query = operand
            nodes.insert(i)
        }
        // Kᵀ: a Transpose swapping the last two axes (read K itself), else K is given transposed.
        var key = keyT
        var kTransposed = true
        var keyIsInternal = true
        if let (t, transpose) = view.producer(keyT, ["Transpose"]), let perm = try? transpose.ints("perm"), swapsLastTwo(perm) {
            key = transpose.inputs[0]
            kTransposed = false
            // The Transpose goes with the fusion unless something else reads Kᵀ.
            keyIsInternal = view.soleReader(of: keyT) != nil
            if keyIsInternal { nodes.insert(t) }
        }
        if keyIsInternal, let (i, node) = view.producer(key, ["Div", "Mul"]), view.soleReader(of: key) != nil,
           let (operand, factor) = scalarFactor(node, view) {
            scale *= factor
            key = operand
            nodes.insert(i)
        }
        for (name, v) in [("Q", query), ("K", key), ("V", value)] {
            guard let t = view.type(v), let rank = t.rank else { throw Declined(reason: "\(name) rank unknown") }
            guard rank >= 2 else { throw Declined(reason: "\(name) has rank \(rank) < 2") }
            guard t.dtype == .float32 else { throw Declined(reason: "\(name) is not float32") }
        }
        // Intermediates die with the fusion; only a Shape of the scores may stay, read from Q instead.
        var shapeEdits: [Int: Node] = [:]
        for i in nodes where i != rootIndex {
            let v = view.node(i).outputs[0]
            guard !view.isExported(v) else { throw Declined(reason: "an intermediate value is a graph output") }
            for r in view.readers(of: v) where !nodes.contains(r) {
                guard let edited = shapeReadingRows(r, of: v, from: query, view) else {
                    throw Declined(reason: "an intermediate value is read outside the pattern")
                }
                shapeEdits[r] = edited
            }
        }
        var attributes: [String: Attribute] = [
            "scale": .float(Float(scale)), "mask_kind": .string(maskKind), "k_transposed": .int(kTransposed ? 1 : 0),
        ]
        if maskKind == "where" { attributes["mask_fill"] = .float(fill) }
        let fused = Node(name: root.name, opType: "Attention", domain: FusedTransformerOperators.domain,
                         inputs: [query, key, value] + (mask.map { [$0] } ?? []), outputs: [root.outputs[0]],
                         attributes: attributes)
        return Match(nodes: nodes, root: rootIndex, fused: fused, edits: shapeEdits)
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

    /// Scores are a MatMul, possibly behind one scalar Div/Mul.
    private func isScoreChain(_ value: String, _ view: FusionPatternView) -> Bool {
        if view.producer(value, ["MatMul"]) != nil { return true }
        guard let (_, node) = view.producer(value, ["Div", "Mul"]), let (operand, _) = scalarFactor(node, view) else { return false }
        return view.producer(operand, ["MatMul"]) != nil
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
