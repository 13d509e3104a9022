import InferIR

/// `eliminate-dead-code`: removes nodes none of whose outputs is read or exported, then
/// initializers nothing reads (initializers that are also graph inputs stay: callers may feed them).
package struct EliminateDeadCode: Pass {
    package let name = "eliminate-dead-code"
    package init() {}

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        var changed = false
        // Walk backwards so a chain of dead nodes goes in one sweep.
        var used = Set(graph.outputs.map(\.name))
        var keep = [Bool](repeating: false, count: graph.nodes.count)
        for i in graph.nodes.indices.reversed() {
            let node = graph.nodes[i]
            if node.outputs.contains(where: { !$0.isEmpty && used.contains($0) }) {
                keep[i] = true
                for input in node.inputs where !input.isEmpty { used.insert(input) }
                // Values its subgraphs read from this scope are uses too.
                used.formUnion(node.outerReferences)
            }
        }
        if keep.contains(false) {
            graph.nodes = graph.nodes.indices.filter { keep[$0] }.map { graph.nodes[$0] }
            changed = true
        }
        let inputNames = graph.graphInputNames
        for name in graph.initializers.keys where !used.contains(name) && !inputNames.contains(name) {
            graph.initializers[name] = nil
            changed = true
        }
        if changed {
            graph.valueInfo = graph.valueInfo.filter { used.contains($0.key) }
            model.graph = graph
        }
        return changed
    }
}
