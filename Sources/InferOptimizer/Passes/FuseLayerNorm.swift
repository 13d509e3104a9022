import InferIR

/// `fuse-layernorm`: (x - mean(x)) / sqrt(mean((x - mean(x))²) + ε) · γ + β over the last axis is
/// LayerNormalization(x, γ, β, axis=-1, epsilon=ε) (same two-pass variance); x / sqrt(mean(x²) + ε) · γ
/// is swiftinfer.RMSNormalization(x, γ). Matched from the first ReduceMean: Sub, Pow 2 (or Mul by
/// itself), ReduceMean, Add ε, Sqrt, Div (or Reciprocal + Mul), then optional Mul γ and Add β.
package struct FuseLayerNorm: Pass {
    package let name = "fuse-layernorm"
    package init() {}

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        var rewriter = FusionRewriter()
        // Layer norms first: their variance half would otherwise also read as an RMS norm.
        var layerNormMisses: [Int: Miss] = [:]
        for (i, node) in model.graph.nodes.enumerated() where node.isStandard("ReduceMean") && !rewriter.isClaimed(i) {
            if let miss = matchLayerNorm(at: i, view, &rewriter, context) { layerNormMisses[i] = miss }
        }
        for (i, node) in model.graph.nodes.enumerated() where node.isStandard("ReduceMean") && !rewriter.isClaimed(i) {
            guard let rmsMiss = matchRMSNorm(at: i, view, &rewriter, context) else { continue }
            // One line per ReduceMean: the pattern that got further says why it stopped.
            let layerNormMiss = layerNormMisses[i] ?? Miss("layernorm", "")
            let miss = layerNormMiss.started || !rmsMiss.started ? layerNormMiss : rmsMiss
            context.declined(miss.fusion, by: self, at: node, because: miss.started ? miss.reason
                : "not read by Sub(x, mean) alone (a layer norm), and its input is not a square (an RMS norm)")
        }
        return try rewriter.apply(to: &model, context: context)
    }

    /// Why a norm pattern did not match at a ReduceMean; `started` when its first structural step
    /// held (the mean feeds Sub(x, mean), or its input is a square), so the reason is worth printing.
    private struct Miss {
        var fusion: String
        var reason: String
        var started: Bool { !reason.isEmpty }
        init(_ fusion: String, _ reason: String) { self.fusion = fusion; self.reason = reason }
    }

    // MARK: - Layer norm

    /// Fuses the layer norm whose first ReduceMean is `meanIndex`; nil when it did (or was claimed).
    private func matchLayerNorm(at meanIndex: Int, _ view: FusionPatternView, _ rewriter: inout FusionRewriter,
                                _ context: PassContext) -> Miss? {
        let meanNode = view.node(meanIndex)
        let x = meanNode.inputs[0], mean = meanNode.outputs[0]
        // mean is read by Sub(x, mean) alone.
        guard let (subIndex, sub) = view.soleReader(of: mean, ["Sub"]), sub.inputs == [x, mean] else { return Miss("layernorm", "") }
        func miss(_ reason: String) -> Miss { Miss("layernorm", reason) }
        guard lastAxis(meanNode, of: x, view) else { return miss("ReduceMean does not reduce only the last axis with keepdims") }
        guard view.type(x)?.dtype == .float32 else { return miss("input is not float32") }
        guard view.opset >= 17 else { return miss("opset \(view.opset) has no LayerNormalization") }
        let centered = sub.outputs[0]
        guard let variance = varianceChain(of: centered, view, meanNode: meanNode) else {
            return miss("no Pow 2 / ReduceMean / Add eps / Sqrt / Div chain after Sub")
        }
        // `centered` feeds exactly the square and the normalizing division.
        let centeredReaders = Set(view.readers(of: centered))
        guard centeredReaders == [variance.squareIndex, variance.normalizeIndex] else { return miss("x - mean has readers outside the pattern") }
        var nodes: Set<Int> = [meanIndex, subIndex]
        nodes.formUnion(variance.nodes)
        let affine = affineTail(after: variance.normalized, x: x, view)
        nodes.formUnion(affine.nodes)
        guard view.isClosed(nodes, root: affine.root) else { return miss("an intermediate value is read outside the pattern") }
        let root = view.node(affine.root)
        let base = root.name.isEmpty ? root.outputs[0] : root.name
        let scaleName = affine.gamma.map { asVector($0, view, &rewriter) }
            ?? addInitializer("\(base)_scale", Tensor(shape: [1], exactly: [Float(1)]), view, &rewriter)
        var inputs = [x, scaleName]
        if let beta = affine.beta { inputs.append(asVector(beta, view, &rewriter)) }
        let fused = Node(name: root.name, opType: "LayerNormalization", inputs: inputs, outputs: [root.outputs[0]],
                         attributes: ["axis": .int(-1), "epsilon": .float(Float(variance.epsilon))])
        guard rewriter.replace(nodes, root: affine.root, with: fused) else { return miss("overlaps a norm fused earlier") }
        context.applied("layernorm", by: self, at: meanNode, nodes: nodes.count, into: fused)
        return nil
    }

    /// The shared tail of both norms: square → ReduceMean → Add ε → Sqrt → Div (or Reciprocal + Mul).
    private struct VarianceChain {
        var squareIndex: Int
        var normalizeIndex: Int
        var nodes: Set<Int>
        var epsilon: Double
        /// The normalized value: input / sqrt(mean(input²) + ε).
        var normalized: String
    }

    /// Matches from `input` (x - mean for LayerNorm, x for RMSNorm): square, mean over the last axis,
    /// plus ε, sqrt, and the division of `input` by it.
    private func varianceChain(of input: String, _ view: FusionPatternView, meanNode: Node? = nil,
                               square knownSquare: (Int, Node)? = nil) -> VarianceChain? {
        let rank = view.rank(input)
        let square: (index: Int, node: Node)
        if let knownSquare {
            square = knownSquare
        } else {
            guard let s = view.readers(of: input).lazy.map({ ($0, view.node($0)) }).first(where: { isSquare($0.1, of: input, view) })
            else { return nil }
            square = (s.0, s.1)
        }
        guard let (meanIndex, mean) = view.soleReader(of: square.node.outputs[0], ["ReduceMean"]),
              lastAxis(mean, of: square.node.outputs[0], view),
              let (addIndex, add) = view.soleReader(of: mean.outputs[0], ["Add"]),
              let epsName = view.otherOperand(of: add, than: mean.outputs[0]),
              let epsilon = view.scalar(epsName, within: rank), epsilon >= 0,
              let (sqrtIndex, sqrt) = view.soleReader(of: add.outputs[0], ["Sqrt"])
        else { return nil }
        let root = sqrt.outputs[0]
        var nodes: Set<Int> = [square.index, meanIndex, addIndex, sqrtIndex]
        if let (divIndex, div) = view.soleReader(of: root, ["Div"]), div.inputs == [input, root] {
            nodes.insert(divIndex)
            return VarianceChain(squareIndex: square.index, normalizeIndex: divIndex, nodes: nodes, epsilon: epsilon,
                                 normalized: div.outputs[0])
        }
        // 1 / sqrt as Reciprocal or Div(1, sqrt), then a Mul with the input.
        var inverse: (index: Int, node: Node)?
        if let r = view.soleReader(of: root, ["Reciprocal"]) {
            inverse = r
        } else if let d = view.soleReader(of: root, ["Div"]), d.node.inputs[1] == root,
                  view.scalar(d.node.inputs[0], near: 1, within: rank) {
            inverse = d
        }
        guard let inverse, let (mulIndex, mul) = view.soleReader(of: inverse.node.outputs[0], ["Mul"]),
              view.otherOperand(of: mul, than: inverse.node.outputs[0]) == input else { return nil }
        nodes.formUnion([inverse.index, mulIndex])
        return VarianceChain(squareIndex: square.index, normalizeIndex: mulIndex, nodes: nodes, epsilon: epsilon,
                             normalized: mul.outputs[0])
    }

    /// Pow(v, 2) or Mul(v, v).
    private func isSquare(_ node: Node, of value: String, _ view: FusionPatternView) -> Bool {
        if node.isStandard("Mul") { return node.inputs == [value, value] }
        if node.isStandard("Pow"), node.inputs.count == 2, node.inputs[0] == value,
           let e = view.graph.constant(node.inputs[1]), e.count == 1, e.rank <= (view.rank(value) ?? 0) {
            return e.doubleValues()[0] == 2
        }
        return false
    }

    // MARK: - RMS norm

    /// Fuses the RMS norm whose ReduceMean is `meanIndex`; nil when it did.
    private func matchRMSNorm(at meanIndex: Int, _ view: FusionPatternView, _ rewriter: inout FusionRewriter,
                              _ context: PassContext) -> Miss? {
        let meanNode = view.node(meanIndex)
        guard let square = view.producer(meanNode.inputs[0], ["Pow", "Mul"]), let x = square.node.inputs.first,
              isSquare(square.node, of: x, view) else { return Miss("rmsnorm", "") }
        func miss(_ reason: String) -> Miss { Miss("rmsnorm", reason) }
        guard let chain = varianceChain(of: x, view, square: square), chain.nodes.contains(meanIndex) else {
            return miss("no ReduceMean / Add eps / Sqrt / Div chain after the square")
        }
        guard view.type(x)?.dtype == .float32 else { return miss("input is not float32") }
        // x / rms · γ (no β in an RMS norm; a trailing Add stays as it is).
        var nodes = chain.nodes
        var root = chain.normalizeIndex
        var gamma: String?
        if let (mulIndex, mul) = view.soleReader(of: chain.normalized, ["Mul"]),
           let g = view.otherOperand(of: mul, than: chain.normalized), let vector = lastAxisVector(g, x: x, view) {
            gamma = vector
            nodes.insert(mulIndex)
            root = mulIndex
        }
        guard view.isClosed(nodes, root: root) else { return miss("an intermediate value is read outside the pattern") }
        let rootNode = view.node(root)
        let fused = Node(name: rootNode.name, opType: "RMSNormalization", domain: FusedTransformerOperators.domain,
                         inputs: [x] + (gamma.map { [asVector($0, view, &rewriter)] } ?? []), outputs: [rootNode.outputs[0]],
                         attributes: ["axis": .int(-1), "epsilon": .float(Float(chain.epsilon))])
        guard rewriter.replace(nodes, root: root, with: fused) else { return miss("overlaps a norm fused earlier") }
        context.applied("rmsnorm", by: self, at: meanNode, nodes: nodes.count, into: fused)
        return nil
    }

    // MARK: - Shared pieces

    /// Optional Mul γ then Add β, each a constant vector over the last axis.
    private func affineTail(after normalized: String, x: String, _ view: FusionPatternView)
        -> (nodes: Set<Int>, root: Int, gamma: String?, beta: String?) {
        var value = normalized
        var root = view.producer(normalized)!.index
        var nodes: Set<Int> = []
        var gamma: String?, beta: String?
        if let (i, mul) = view.soleReader(of: value, ["Mul"]), let g = view.otherOperand(of: mul, than: value),
           let vector = lastAxisVector(g, x: x, view) {
            gamma = vector
            nodes.insert(i)
            root = i
            value = mul.outputs[0]
        }
        if let (i, add) = view.soleReader(of: value, ["Add"]), let b = view.otherOperand(of: add, than: value),
           let vector = lastAxisVector(b, x: x, view) {
            beta = vector
            nodes.insert(i)
            root = i
        }
        return (nodes, root, gamma, beta)
    }

    /// `name` when it is a float32 constant varying only along the last axis of x (leading dims 1,
    /// rank no higher than x's) with one value or as many as that axis.
    private func lastAxisVector(_ name: String, x: String, _ view: FusionPatternView) -> String? {
        guard let t = view.graph.constant(name), t.dtype == .float32, t.rank >= 1 || t.count == 1 else { return nil }
        let xShape = view.type(x)?.shape
        guard t.rank <= (xShape?.count ?? 1), t.shape.dropLast().allSatisfy({ $0 == 1 }) else { return nil }
        // With an unknown last dim, shape inference checks the vector's length at run time.
        if let last = xShape?.last?.intValue, t.count != last && t.count != 1 { return nil }
        return name
    }

    /// `name`, or a rank-1 copy of it (the normalization ops take γ and β over the normalized axis only).
    private func asVector(_ name: String, _ view: FusionPatternView, _ rewriter: inout FusionRewriter) -> String {
        let t = view.graph.constant(name)!
        guard t.rank != 1 else { return name }
        return addInitializer("\(name)_vector", t.reshaped(to: [t.count]), view, &rewriter)
    }

    private func addInitializer(_ base: String, _ t: Tensor, _ view: FusionPatternView, _ rewriter: inout FusionRewriter) -> String {
        rewriter.addInitializer(base, t, in: view.graph)
    }

    /// ReduceMean over exactly the last axis with keepdims (axes an attribute before opset 18, an input since).
    private func lastAxis(_ node: Node, of input: String, _ view: FusionPatternView) -> Bool {
        guard (try? node.int("keepdims", default: 1)) == 1 else { return false }
        let axes: [Int]?
        if view.opset >= 18 {
            axes = node.inputs.count > 1 && !node.inputs[1].isEmpty ? view.graph.constant(node.inputs[1])?.intValues() : nil
        } else {
            axes = (try? node.intsIfPresent("axes")) ?? nil
        }
        guard let axes, axes.count == 1 else { return false }
        if axes[0] == -1 { return true }
        guard let rank = view.rank(input) else { return false }
        return axes[0] == rank - 1
    }
}
