import InferIR

/// Small queries and edits that most passes need.
extension Graph {
    /// Names of values read by some node (directly, or inside its subgraphs) or exported as graph outputs.
    package var usedValues: Set<String> {
        var used = Set(outputs.map(\.name))
        for node in nodes {
            for i in node.inputs where !i.isEmpty { used.insert(i) }
            used.formUnion(node.outerReferences)
        }
        return used
    }

    /// How many node inputs (plus graph outputs, plus subgraphs reading it from outside) read each value.
    package var useCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for node in nodes {
            for i in node.inputs where !i.isEmpty { counts[i, default: 0] += 1 }
            for name in node.outerReferences { counts[name, default: 0] += 1 }
        }
        for o in outputs { counts[o.name, default: 0] += 1 }
        return counts
    }

    /// Index of the node producing each value.
    package var producers: [String: Int] {
        var table: [String: Int] = [:]
        for (i, node) in nodes.enumerated() { for o in node.outputs where !o.isEmpty { table[o] = i } }
        return table
    }

    package var graphInputNames: Set<String> { Set(inputs.map(\.name)) }
    package var graphOutputNames: Set<String> { Set(outputs.map(\.name)) }

    /// A constant value: an initializer that is not overridable by a graph input.
    package func constant(_ name: String) -> Tensor? {
        guard let t = initializers[name], !inputs.contains(where: { $0.name == name }) else { return nil }
        return t
    }

    /// Makes every reader of `old` read `new` instead.
    package mutating func replaceUses(of old: String, with new: String) {
        for i in nodes.indices {
            for k in nodes[i].inputs.indices where nodes[i].inputs[k] == old { nodes[i].inputs[k] = new }
            nodes[i].renameOuterReference(old, to: new)
        }
    }

    /// A value name not yet used anywhere in the graph, derived from `base`.
    package func freshName(_ base: String) -> String {
        var taken = Set(initializers.keys).union(inputs.map(\.name))
        for n in nodes { taken.formUnion(n.outputs) }
        if !taken.contains(base) { return base }
        var k = 1
        while taken.contains("\(base)_\(k)") { k += 1 }
        return "\(base)_\(k)"
    }
}
