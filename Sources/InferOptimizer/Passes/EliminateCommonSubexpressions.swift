import InferIR

/// `eliminate-common-subexpressions`: two nodes with the same op, domain, inputs and
/// attributes compute the same values (every supported op is pure), so the later one's
/// readers are pointed at the earlier one's outputs and it is removed. Identical
/// initializers (same dtype, shape and bytes, up to 64 KiB) are merged the same way.
package struct EliminateCommonSubexpressions: Pass {
    package let name = "eliminate-common-subexpressions"
    package init() {}

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        let exported = graph.graphOutputNames
        var changed = mergeInitializers(&graph, exported: exported)
        var seen: [String: [Int]] = [:]
        var removed = Set<Int>()
        for i in graph.nodes.indices {
            let node = graph.nodes[i]
            let key = "\(node.domain)|\(node.opType)|\(node.inputs.joined(separator: ","))|\(node.outputs.count)"
            if let candidates = seen[key], let j = candidates.first(where: { graph.nodes[$0].attributes == node.attributes }),
               !node.outputs.contains(where: exported.contains) {
                for (mine, theirs) in zip(node.outputs, graph.nodes[j].outputs) where !mine.isEmpty {
                    graph.replaceUses(of: mine, with: theirs)
                }
                removed.insert(i)
                changed = true
            } else {
                seen[key, default: []].append(i)
            }
        }
        if !removed.isEmpty { graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] } }
        if changed { model.graph = graph }
        return changed
    }

    private func mergeInitializers(_ graph: inout Graph, exported: Set<String>) -> Bool {
        let inputs = graph.graphInputNames
        var canonical: [String: [String]] = [:]
        var changed = false
        for name in graph.initializers.keys.sorted() where !inputs.contains(name) && !exported.contains(name) {
            let t = graph.initializers[name]!
            guard t.byteCount <= 64 << 10 else { continue }
            let key = "\(t.dtype)\(t.shape)"
            if let twin = canonical[key]?.first(where: { graph.initializers[$0]! == t }) {
                graph.replaceUses(of: name, with: twin)
                graph.initializers[name] = nil
                changed = true
            } else {
                canonical[key, default: []].append(name)
            }
        }
        return changed
    }
}
