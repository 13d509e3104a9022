import InferIR

/// A read-only index of a graph for matching the transformer fusion patterns: who produces and
/// who reads each value, value types and scalar constants. Matching never edits; a pass collects
/// its rewrites and applies them with `FusionRewriter`.
struct FusionPatternView {
    let graph: Graph
    let opset: Int
    private let producerIndex: [String: Int]
    private let readers: [String: [Int]]
    private let exported: Set<String>

    init(_ model: Model) {
        graph = model.graph
        opset = model.opset(forDomain: "") ?? 1
        producerIndex = graph.producers
        var readers: [String: [Int]] = [:]
        for (i, node) in graph.nodes.enumerated() {
            for input in Set(node.inputs) where !input.isEmpty { readers[input, default: []].append(i) }
        }
        self.readers = readers
        exported = graph.graphOutputNames
    }

    func node(_ i: Int) -> Node { graph.nodes[i] }

    /// The node producing `value`, if a node does.
    func producer(_ value: String) -> (index: Int, node: Node)? {
        producerIndex[value].map { ($0, graph.nodes[$0]) }
    }

    /// The standard-domain node producing `value` when its op is one of `ops`.
    func producer(_ value: String, _ ops: Set<String>) -> (index: Int, node: Node)? {
        guard let p = producer(value), p.node.isStandard, ops.contains(p.node.opType) else { return nil }
        return p
    }

    /// Indices of the nodes reading `value` (each once).
    func readers(of value: String) -> [Int] { readers[value] ?? [] }

    /// The one node reading `value` when nothing else does (and it is not a graph output).
    func soleReader(of value: String) -> (index: Int, node: Node)? {
        guard !exported.contains(value), let r = readers[value], r.count == 1 else { return nil }
        return (r[0], graph.nodes[r[0]])
    }

    /// The sole reader of `value` when it is a standard op in `ops`.
    func soleReader(of value: String, _ ops: Set<String>) -> (index: Int, node: Node)? {
        guard let r = soleReader(of: value), r.node.isStandard, ops.contains(r.node.opType) else { return nil }
        return r
    }

    func isExported(_ value: String) -> Bool { exported.contains(value) }

    func type(_ value: String) -> ValueType? {
        graph.valueInfo[value] ?? graph.initializers[value]?.type ?? graph.inputs.first { $0.name == value }?.type
    }

    func rank(_ value: String) -> Int? { type(value)?.rank }

    /// The value of a one-element float constant whose rank cannot widen a result of rank `rank`
    /// (rank 0 always; rank r only when `rank` is known and >= r).
    func scalar(_ value: String, within rank: Int?) -> Double? {
        guard let t = graph.constant(value), t.count == 1, t.dtype.isFloatingPoint else { return nil }
        guard t.rank == 0 || (rank.map { t.rank <= $0 } ?? false) else { return nil }
        return t.doubleValues()[0]
    }

    /// Whether `value` is a scalar constant within 1e-3 (relative) of `target`.
    func scalar(_ value: String, near target: Double, within rank: Int?) -> Bool {
        guard let v = scalar(value, within: rank) else { return false }
        return Swift.abs(v - target) <= 1e-3 * Swift.abs(target)
    }

    /// For a binary node, the operand that is not `known` (either order), when `known` is one of them.
    func otherOperand(of node: Node, than known: String) -> String? {
        guard node.inputs.count == 2 else { return nil }
        if node.inputs[0] == known { return node.inputs[1] }
        if node.inputs[1] == known { return node.inputs[0] }
        return nil
    }

    /// Every value produced inside `nodes` other than by `root` is read only by `nodes` and not
    /// exported: removing them after the rewrite loses nothing.
    func isClosed(_ nodes: Set<Int>, root: Int) -> Bool {
        for i in nodes where i != root {
            for output in graph.nodes[i].outputs where !output.isEmpty {
                if exported.contains(output) { return false }
                if readers(of: output).contains(where: { !nodes.contains($0) }) { return false }
            }
        }
        return true
    }
}

extension Node {
    /// A standard ONNX op (default domain).
    var isStandard: Bool { domain.isEmpty || domain == "ai.onnx" }

    func isStandard(_ op: String) -> Bool { isStandard && opType == op }
}

/// Applies non-overlapping rewrites collected by a pass: each replaces a root node by a fused
/// node (same outputs); the nodes it made dead go with a dead-code sweep.
struct FusionRewriter {
    private(set) var replacements: [Int: Node] = [:]
    private(set) var claimed: Set<Int> = []
    var newInitializers: [String: Tensor] = [:]
    /// Nodes outside the fused sets rewritten in place (e.g. a Shape redirected to an equivalent value).
    private(set) var edits: [Int: Node] = [:]

    var isEmpty: Bool { replacements.isEmpty }

    func isClaimed(_ i: Int) -> Bool { claimed.contains(i) }

    /// Records a rewrite of `nodes` (including `root`) into `fused`; false when it overlaps an earlier one.
    @discardableResult
    mutating func replace(_ nodes: Set<Int>, root: Int, with fused: Node, editing others: [Int: Node] = [:]) -> Bool {
        guard claimed.isDisjoint(with: nodes), claimed.isDisjoint(with: others.keys),
              edits.keys.allSatisfy({ !nodes.contains($0) }) else { return false }
        claimed.formUnion(nodes)
        replacements[root] = fused
        edits.merge(others) { _, new in new }
        return true
    }

    /// Adds `t` as a new initializer named after `base`, unused in `graph` and by earlier additions.
    mutating func addInitializer(_ base: String, _ t: Tensor, in graph: Graph) -> String {
        var name = graph.freshName(base)
        var k = 1
        while newInitializers[name] != nil { name = graph.freshName("\(base)_\(k)"); k += 1 }
        newInitializers[name] = t
        return name
    }

    /// Applies the rewrites, imports the `swiftinfer` domain when a fused node uses it, and drops dead nodes.
    func apply(to model: inout Model, context: PassContext) throws -> Bool {
        guard !replacements.isEmpty else { return false }
        for (i, node) in replacements { model.graph.nodes[i] = node }
        for (i, node) in edits { model.graph.nodes[i] = node }
        for (name, t) in newInitializers { model.graph.initializers[name] = t }
        if replacements.values.contains(where: { $0.domain == FusedTransformerOperators.domain }) {
            model.opsetImports[FusedTransformerOperators.domain] = max(model.opsetImports[FusedTransformerOperators.domain] ?? 1, 1)
        }
        _ = try EliminateDeadCode().run(on: &model, context: context)
        return true
    }
}
