/// Structural checks every graph must pass before it is optimized or run:
/// each value is defined once (graph input, initializer or one node output), every node input
/// is defined, graph outputs exist, and the nodes form no cycle. Returns the nodes in a
/// topological order (stable: the file's order where it is already valid).
///
/// Subgraphs (If/Loop/Scan bodies) are verified too: their nodes may read values of enclosing
/// scopes (`outerScope` for this graph), and a node's outer-scope reads order it after their producers.
package enum Verifier {
    package static func verify(_ graph: Graph, outerScope: Set<String> = []) throws -> [Node] {
        var defined = Set<String>()
        for input in graph.inputs {
            guard !input.name.isEmpty else { throw InferError(.invalidModel, "a graph input has an empty name") }
            guard defined.insert(input.name).inserted else {
                throw InferError(.invalidModel, "graph input \"\(input.name)\" is declared twice")
            }
        }
        for name in graph.initializers.keys { defined.insert(name) }
        var producer: [String: Int] = [:]
        for (i, node) in graph.nodes.enumerated() {
            for out in node.outputs where !out.isEmpty {
                if defined.contains(out) || producer[out] != nil {
                    throw InferError.at(node, opset: nil, .invalidModel, "value \"\(out)\" is assigned more than once")
                }
                producer[out] = i
            }
        }
        // Kahn's algorithm, taking the lowest original index first to keep file order.
        var pending = [Int](repeating: 0, count: graph.nodes.count)
        var consumers: [String: [Int]] = [:]
        for (i, node) in graph.nodes.enumerated() {
            for input in node.inputs where !input.isEmpty {
                if producer[input] != nil {
                    pending[i] += 1
                    consumers[input, default: []].append(i)
                } else if !defined.contains(input) && !outerScope.contains(input) {
                    throw InferError.at(node, opset: nil, .invalidModel, "input \"\(input)\" is not defined by any node, graph input or initializer")
                }
            }
            // Values the node's subgraphs read from this scope: implicit inputs.
            for name in node.outerReferences where !node.inputs.contains(name) {
                if producer[name] != nil {
                    pending[i] += 1
                    consumers[name, default: []].append(i)
                } else if !defined.contains(name) && !outerScope.contains(name) {
                    throw InferError.at(node, opset: nil, .invalidModel, "a subgraph reads \"\(name)\", which no enclosing scope defines")
                }
            }
        }
        var ready = (0..<graph.nodes.count).filter { pending[$0] == 0 }.reversed() as [Int]
        var order: [Node] = []
        order.reserveCapacity(graph.nodes.count)
        while let i = ready.popLast() {
            order.append(graph.nodes[i])
            var released: [Int] = []
            for out in graph.nodes[i].outputs where !out.isEmpty {
                for c in consumers[out] ?? [] {
                    pending[c] -= 1
                    if pending[c] == 0 { released.append(c) }
                }
            }
            if !released.isEmpty {
                ready.append(contentsOf: released)
                ready.sort(by: >)
            }
        }
        if order.count != graph.nodes.count {
            let stuck = graph.nodes.indices.first { pending[$0] > 0 }!
            throw InferError.at(graph.nodes[stuck], opset: nil, .invalidModel, "the graph has a cycle through this node")
        }
        for output in graph.outputs where !defined.contains(output.name) && producer[output.name] == nil
            && !outerScope.contains(output.name) {
            throw InferError(.invalidModel, "graph output \"\(output.name)\" is never produced")
        }
        let visible = outerScope.union(defined).union(producer.keys)
        for node in graph.nodes where node.hasSubgraphs {
            for sub in node.subgraphs {
                do {
                    _ = try verify(sub, outerScope: visible)
                } catch let error as InferError {
                    throw InferError.at(node, opset: nil, error.kind, "subgraph \"\(sub.name)\": \(error.message)")
                }
            }
        }
        return order
    }
}
