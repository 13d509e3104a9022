import InferIR

/// `fuse-elementwise`: f(g(a, b), c) computed per output element equals computing g into a buffer and
/// then f (broadcasting composes), so a tree of float32 elementwise ops whose intermediates have one
/// reader becomes one swiftinfer.FusedElementwise node: a postfix program over its leaf inputs and
/// inlined scalar constants, run in one loop over the output. Runs last: it only takes what the
/// pattern fusions left behind.
package struct FuseElementwise: Pass {
    package let name = "fuse-elementwise"
    package init() {}

    static let maxOps = 24
    static let maxInputs = 8

    static let unaryTokens: [String: String] = [
        "Neg": "Neg", "Abs": "Abs", "Relu": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Exp": "Exp", "Log": "Log",
        "Sqrt": "Sqrt", "Reciprocal": "Reciprocal", "Erf": "Erf",
    ]
    static let binaryTokens: Set<String> = ["Add", "Sub", "Mul", "Div", "Pow"]

    /// An op of the fused program: its token and which of the node's inputs it reads.
    private struct Operation {
        var token: String
        var operands: [String]
    }

    private indirect enum Tree {
        case leaf(String)
        case op(String, [Tree])
    }

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        var rewriter = FusionRewriter()
        var absorbed = Set<Int>()
        for rootIndex in model.graph.nodes.indices.reversed() where !absorbed.contains(rootIndex) {
            let root = view.node(rootIndex)
            guard let rootOp = operation(root, view), let rootShape = view.type(root.outputs[0])?.shape else { continue }
            var members: Set<Int> = [rootIndex]
            func expand(_ value: String) -> Tree {
                guard members.count < Self.maxOps, let (i, p) = view.producer(value), !absorbed.contains(i), !members.contains(i),
                      view.soleReader(of: value) != nil, let op = operation(p, view),
                      let shape = view.type(value)?.shape, covers(shape, rootShape) else { return .leaf(value) }
                members.insert(i)
                return .op(op.token, op.operands.map(expand))
            }
            let tree = Tree.op(rootOp.token, rootOp.operands.map(expand))
            guard members.count >= 2 else {
                context.declined("elementwise-chain", by: self, at: root,
                                 because: "no operand is a float32 elementwise op of the output's size read only here")
                continue
            }
            guard let program = lower(tree, view) else {
                context.declined("elementwise-chain", by: self, at: root, because: "too many inputs or registers")
                continue
            }
            var attributes: [String: Attribute] = ["program": .strings(program.tokens)]
            if !program.constants.isEmpty { attributes["constants"] = .floats(program.constants) }
            let fused = Node(name: root.name, opType: "FusedElementwise", domain: FusedTransformerOperators.domain,
                             inputs: program.inputs, outputs: [root.outputs[0]], attributes: attributes)
            if rewriter.replace(members, root: rootIndex, with: fused) {
                absorbed.formUnion(members)
                context.applied("elementwise-chain", by: self, at: root, nodes: members.count, into: fused)
            }
        }
        return try rewriter.apply(to: &model, context: context)
    }

    /// The program op for a fusable node: float32 in and out, a supported op.
    private func operation(_ node: Node, _ view: FusionPatternView) -> Operation? {
        guard node.outputs.count == 1, view.type(node.outputs[0])?.dtype == .float32,
              node.inputs.allSatisfy({ !$0.isEmpty && view.type($0)?.dtype == .float32 }) else { return nil }
        let isGelu = node.opType == "Gelu" && (node.isStandard || node.domain == FusedTransformerOperators.domain)
        if isGelu, node.inputs.count == 1 {
            switch try? node.string("approximate", default: "none") {
            case "none": return Operation(token: "Gelu", operands: node.inputs)
            case "tanh": return Operation(token: "GeluTanh", operands: node.inputs)
            default: return nil
            }
        }
        guard node.isStandard else { return nil }
        if let token = Self.unaryTokens[node.opType], node.inputs.count == 1 {
            return Operation(token: token, operands: node.inputs)
        }
        guard Self.binaryTokens.contains(node.opType), node.inputs.count == 2 else { return nil }
        if node.opType == "Pow", view.scalar(node.inputs[1], within: view.rank(node.inputs[0])) == 2 {
            return Operation(token: "Square", operands: [node.inputs[0]])
        }
        return Operation(token: node.opType, operands: node.inputs)
    }

    /// Whether an intermediate of `shape` is as large as the output (computing it per output element
    /// recomputes nothing): same rank, and no dim 1 where the output's is not.
    private func covers(_ shape: [Dim], _ output: [Dim]) -> Bool {
        guard shape.count == output.count else { return false }
        return zip(shape, output).allSatisfy { d, o in d != .value(1) || o == .value(1) }
    }

    private struct Program {
        var tokens: [String] = []
        var inputs: [String] = []
        var constants: [Float] = []
    }

    /// Postfix tokens for the tree; scalar constants that cannot widen the result are inlined.
    private func lower(_ tree: Tree, _ view: FusionPatternView) -> Program? {
        var leaves: [String] = []
        func collect(_ t: Tree) {
            switch t {
            case .leaf(let v): if !leaves.contains(v) { leaves.append(v) }
            case .op(_, let children): children.forEach(collect)
            }
        }
        collect(tree)
        func scalarConstant(_ v: String) -> Float? {
            guard let t = view.graph.constant(v), t.count == 1, t.dtype == .float32 else { return nil }
            return Float(t.doubleValues()[0])
        }
        let tensorLeaves = leaves.filter { scalarConstant($0) == nil }
        guard !tensorLeaves.isEmpty else { return nil }
        let ranks = tensorLeaves.map { view.rank($0) }
        let widest = ranks.contains(nil) ? 0 : ranks.map { $0! }.max()!
        var program = Program()
        var constantIndex: [String: Int] = [:]
        for v in leaves {
            if let c = scalarConstant(v), (view.graph.constant(v)!.rank) <= widest {
                constantIndex[v] = program.constants.count
                program.constants.append(c)
            } else {
                program.inputs.append(v)
            }
        }
        guard program.inputs.count <= Self.maxInputs else { return nil }
        var depth = 0, deepest = 0
        func emit(_ t: Tree) {
            switch t {
            case .leaf(let v):
                program.tokens.append(constantIndex[v].map { "c:\($0)" } ?? "in:\(program.inputs.firstIndex(of: v)!)")
                depth += 1
            case .op(let token, let children):
                children.forEach(emit)
                program.tokens.append(token)
                depth -= children.count - 1
            }
            deepest = max(deepest, depth)
        }
        emit(tree)
        return deepest <= 16 ? program : nil
    }
}
