/// Subgraph attributes (the bodies of If/Loop/Scan) and the values of enclosing scopes they read.
/// A subgraph node may name any value of an enclosing graph ("outer-scope reference"); to the
/// enclosing graph such a read is an implicit input of the node that holds the subgraph.
extension Node {
    /// Every graph held in the node's attributes (sorted by attribute name for a stable order).
    package var subgraphs: [Graph] {
        var graphs: [Graph] = []
        for key in attributes.keys.sorted() {
            switch attributes[key]! {
            case .graph(let g): graphs.append(g)
            case .graphs(let gs): graphs.append(contentsOf: gs)
            default: break
            }
        }
        return graphs
    }

    package var hasSubgraphs: Bool {
        attributes.values.contains { if case .graph = $0 { true } else if case .graphs = $0 { true } else { false } }
    }

    /// Values of the enclosing scopes the node's subgraphs read, sorted (empty without subgraphs).
    package var outerReferences: [String] {
        guard hasSubgraphs else { return [] }
        var names = Set<String>()
        for g in subgraphs { names.formUnion(g.outerReferences) }
        return names.sorted()
    }
}

extension Graph {
    /// Names this graph (or any nested subgraph) reads but does not define itself: its free variables.
    package var outerReferences: Set<String> {
        var defined = Set(inputs.map(\.name)).union(initializers.keys)
        for node in nodes { for o in node.outputs where !o.isEmpty { defined.insert(o) } }
        var free = Set<String>()
        for node in nodes {
            for i in node.inputs where !i.isEmpty && !defined.contains(i) { free.insert(i) }
            for name in node.outerReferences where !defined.contains(name) { free.insert(name) }
        }
        for o in outputs where !defined.contains(o.name) { free.insert(o.name) }
        return free
    }

    /// Every name the graph defines: inputs, initializers, node outputs.
    package var definedNames: Set<String> {
        var defined = Set(inputs.map(\.name)).union(initializers.keys)
        for node in nodes { for o in node.outputs where !o.isEmpty { defined.insert(o) } }
        return defined
    }

    /// Renames reads of `old` to `new` in this graph and its nested subgraphs, unless a scope defines
    /// `old` itself (then that scope's `old` is another value).
    package mutating func renameOuterReference(_ old: String, to new: String) {
        guard !definedNames.contains(old) else { return }
        for i in nodes.indices {
            for k in nodes[i].inputs.indices where nodes[i].inputs[k] == old { nodes[i].inputs[k] = new }
            nodes[i].renameOuterReference(old, to: new)
        }
        for k in outputs.indices where outputs[k].name == old { outputs[k].name = new }
    }
}

extension Node {
    /// Renames reads of the enclosing-scope value `old` inside this node's subgraphs.
    package mutating func renameOuterReference(_ old: String, to new: String) {
        guard hasSubgraphs else { return }
        for (key, attr) in attributes {
            switch attr {
            case .graph(var g):
                g.renameOuterReference(old, to: new)
                attributes[key] = .graph(g)
            case .graphs(var gs):
                for k in gs.indices { gs[k].renameOuterReference(old, to: new) }
                attributes[key] = .graphs(gs)
            default: break
            }
        }
    }
}

extension Node {
    /// Ops whose outputs are not a function of their inputs (random draws): never folded to a
    /// constant, and a model holding one is never answered from a response cache.
    package static let nondeterministicOpTypes: Set<String> = [
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli",
    ]

    /// Whether this node or any node of its subgraphs is nondeterministic.
    package var isNondeterministic: Bool {
        Self.nondeterministicOpTypes.contains(opType)
            || subgraphs.contains { $0.nodes.contains(where: \.isNondeterministic) }
    }
}
