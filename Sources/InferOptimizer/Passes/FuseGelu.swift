import InferIR

/// `fuse-gelu`: x·½·(1 + erf(x/√2)) is Gelu(x) and x·½·(1 + tanh(√(2/π)·(x + 0.044715·x³))) is
/// Gelu(x, approximate="tanh"), emitted as swiftinfer.Gelu (the models are opset 17; ONNX Gelu is 20).
/// Matched from the Erf / Tanh node; constants within 1e-3 relative; the ½ may be applied to x,
/// to (1 + erf) or to the product, in either operand order.
package struct FuseGelu: Pass {
    package let name = "fuse-gelu"
    package init() {}

    static let sqrt2 = 1.4142135623730951
    static let sqrt2OverPi = 0.7978845608028654

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        var rewriter = FusionRewriter()
        for (i, node) in model.graph.nodes.enumerated() where node.isStandard("Erf") || node.isStandard("Tanh") {
            let isErf = node.opType == "Erf"
            let kind = isErf ? "gelu-erf" : "gelu-tanh"
            func decline(_ reason: String) { context.declined(kind, by: self, at: node, because: reason) }
            guard !rewriter.isClaimed(i) else { continue }
            guard let inner = isErf ? erfArgument(i, view) : tanhArgument(i, view) else {
                decline(isErf ? "its input is not x/√2 (a Div by √2 or Mul by 1/√2)" : "its input is not √(2/π)·(x + 0.044715·x³)")
                continue
            }
            guard let outer = halfProduct(of: node.outputs[0], x: inner.x, view) else {
                decline("no x·½·(1 + \(node.opType)) around it")
                continue
            }
            let nodes = inner.nodes.union(outer.nodes).union([i])
            guard view.isClosed(nodes, root: outer.root) else {
                decline("an intermediate value is read outside the pattern")
                continue
            }
            guard let dtype = view.type(inner.x)?.dtype, dtype.isFloatingPoint else {
                decline("x is not floating point")
                continue
            }
            let root = view.node(outer.root)
            let fused = Node(name: root.name, opType: "Gelu", domain: FusedTransformerOperators.domain, inputs: [inner.x],
                             outputs: [root.outputs[0]], attributes: ["approximate": .string(inner.approximate)])
            if rewriter.replace(nodes, root: outer.root, with: fused) {
                context.applied(kind, by: self, at: node, nodes: nodes.count, into: fused)
            } else {
                decline("overlaps a GELU fused earlier")
            }
        }
        return try rewriter.apply(to: &model, context: context)
    }

    /// Erf's input as x/√2 (Div by 1.4142 or Mul by 0.7071): x and the scaling node.
    private func erfArgument(_ erfIndex: Int, _ view: FusionPatternView) -> (x: String, nodes: Set<Int>, approximate: String)? {
        let argument = view.node(erfIndex).inputs[0]
        guard let (i, scale) = view.producer(argument, ["Div", "Mul"]), scale.inputs.count == 2 else { return nil }
        if scale.opType == "Div" {
            let x = scale.inputs[0]
            guard view.scalar(scale.inputs[1], near: Self.sqrt2, within: view.rank(x)) else { return nil }
            return (x, [i], "none")
        }
        for (x, c) in [(scale.inputs[0], scale.inputs[1]), (scale.inputs[1], scale.inputs[0])]
        where view.scalar(c, near: 1 / Self.sqrt2, within: view.rank(x)) {
            return (x, [i], "none")
        }
        return nil
    }

    /// Tanh's input as √(2/π)·(x + 0.044715·x³), x³ as Pow(x, 3) or a Mul chain.
    private func tanhArgument(_ tanhIndex: Int, _ view: FusionPatternView) -> (x: String, nodes: Set<Int>, approximate: String)? {
        let argument = view.node(tanhIndex).inputs[0]
        guard let (scaleIndex, scale) = view.producer(argument, ["Mul"]), scale.inputs.count == 2 else { return nil }
        for (sum, c) in [(scale.inputs[0], scale.inputs[1]), (scale.inputs[1], scale.inputs[0])] {
            guard let (sumIndex, add) = view.producer(sum, ["Add"]), add.inputs.count == 2,
                  view.scalar(c, near: Self.sqrt2OverPi, within: view.rank(sum)) else { continue }
            for (x, cubicTerm) in [(add.inputs[0], add.inputs[1]), (add.inputs[1], add.inputs[0])] {
                guard let (termIndex, term) = view.producer(cubicTerm, ["Mul"]), term.inputs.count == 2 else { continue }
                for (cube, k) in [(term.inputs[0], term.inputs[1]), (term.inputs[1], term.inputs[0])]
                where view.scalar(k, near: 0.044715, within: view.rank(x)) {
                    if let cubeNodes = cubeOf(x, cube, view) {
                        return (x, cubeNodes.union([scaleIndex, sumIndex, termIndex]), "tanh")
                    }
                }
            }
        }
        return nil
    }

    /// The nodes computing `value` = x³: Pow(x, 3), Mul(x, Mul(x, x)) or Mul(Mul(x, x), x).
    private func cubeOf(_ x: String, _ value: String, _ view: FusionPatternView) -> Set<Int>? {
        guard let (i, node) = view.producer(value, ["Pow", "Mul"]), node.inputs.count == 2 else { return nil }
        if node.opType == "Pow" {
            guard node.inputs[0] == x, let e = view.scalar(node.inputs[1], within: view.rank(x)), e == 3 else { return nil }
            return [i]
        }
        for (a, b) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] where a == x {
            if let (j, square) = view.producer(b, ["Mul"]), square.inputs == [x, x] { return [i, j] }
        }
        return nil
    }

    /// From f = erf(...) or tanh(...): a = f + 1, then the product of x, a and ½ in any grouping.
    private func halfProduct(of f: String, x: String, _ view: FusionPatternView) -> (nodes: Set<Int>, root: Int)? {
        let rank = view.rank(x)
        guard let (addIndex, add) = view.soleReader(of: f, ["Add"]), let one = view.otherOperand(of: add, than: f),
              view.scalar(one, near: 1, within: rank) else { return nil }
        let a = add.outputs[0]
        guard let (m1Index, m1) = view.soleReader(of: a, ["Mul"]), let other = view.otherOperand(of: m1, than: a) else { return nil }
        var nodes: Set<Int> = [addIndex, m1Index]
        if other == x {
            // (x · a) · ½  or  (x · a) / 2
            guard let (m2Index, m2) = view.soleReader(of: m1.outputs[0], ["Mul", "Div"]) else { return nil }
            let isHalf = m2.opType == "Mul"
                ? view.otherOperand(of: m2, than: m1.outputs[0]).map { view.scalar($0, near: 0.5, within: rank) } ?? false
                : m2.inputs[0] == m1.outputs[0] && view.scalar(m2.inputs[1], near: 2, within: rank)
            guard isHalf else { return nil }
            nodes.insert(m2Index)
            return (nodes, m2Index)
        }
        if view.scalar(other, near: 0.5, within: rank) {
            // (½ · a) · x
            guard let (m2Index, m2) = view.soleReader(of: m1.outputs[0], ["Mul"]),
                  view.otherOperand(of: m2, than: m1.outputs[0]) == x else { return nil }
            nodes.insert(m2Index)
            return (nodes, m2Index)
        }
        // (x · ½) · a
        guard let (hIndex, half) = view.producer(other, ["Mul", "Div"]), half.inputs.count == 2 else { return nil }
        let halvesX = half.opType == "Mul"
            ? view.otherOperand(of: half, than: x).map { view.scalar($0, near: 0.5, within: rank) } ?? false
            : half.inputs[0] == x && view.scalar(half.inputs[1], near: 2, within: rank)
        guard halvesX else { return nil }
        nodes.insert(hIndex)
        return (nodes, m1Index)
    }
}
