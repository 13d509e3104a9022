/// The checks a whole model must pass against `ResourceLimits` before any stage walks it:
/// node count, subgraph nesting and the sizes its graph inputs declare. Everything that walks
/// subgraphs (verifier, shape inference, optimizer, executors) recurses once per nesting level,
/// so checking the depth here, without recursion, is what keeps a deep If chain from
/// overflowing the stack.
extension ResourceLimits {
    /// Throws when `graph` has more nodes (subgraphs included) or deeper subgraph nesting than
    /// the limits allow. `what` names the model in the error (a file path, "the model").
    package func checkGraphSize(_ graph: Graph, _ what: String) throws {
        var pending: [(graph: Graph, depth: Int)] = [(graph, 0)]
        var nodes = 0
        while let (g, depth) = pending.popLast() {
            try checkNesting(depth, what)
            nodes += g.nodes.count
            try checkNodeCount(nodes, what)
            for node in g.nodes where node.hasSubgraphs {
                for sub in node.subgraphs { pending.append((sub, depth + 1)) }
            }
        }
    }

    /// Throws when a graph input declares dims whose known part is already over the tensor
    /// limit (it could never be fed, and shape functions multiplying its dims could overflow).
    package func checkDeclaredInputs(_ graph: Graph) throws {
        for input in graph.inputs {
            guard let shape = input.type.shape else { continue }
            let known = shape.compactMap(\.intValue)
            try checkTensor(input.type.dtype, known, known.count == shape.count ? "graph input \"\(input.name)\""
                            : "the static dims of graph input \"\(input.name)\"")
        }
    }
}
