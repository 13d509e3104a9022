import InferIR

/// `remove-identities`: drops nodes that pass their input through unchanged:
/// Identity; Dropout in inference (y = x, its mask unused); Cast to the input's own dtype;
/// Reshape/Flatten/Squeeze/Unsqueeze whose output type equals the input's static type.
package struct RemoveIdentities: Pass {
    package let name = "remove-identities"
    package init() {}

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        let outputs = graph.graphOutputNames
        let inputs = graph.graphInputNames
        var changed = false
        var index = 0
        while index < graph.nodes.count {
            let node = graph.nodes[index]
            guard isPassThrough(node, graph: graph), let source = node.inputs.first, !source.isEmpty,
                  let result = node.outputs.first else { index += 1; continue }
            if !outputs.contains(result) {
                graph.replaceUses(of: result, with: source)
            } else if !outputs.contains(source) && !inputs.contains(source) && graph.initializers[source] == nil {
                // The result is exported: rename the source to the exported name instead.
                for i in graph.nodes.indices {
                    for k in graph.nodes[i].outputs.indices where graph.nodes[i].outputs[k] == source { graph.nodes[i].outputs[k] = result }
                }
                graph.replaceUses(of: source, with: result)
                graph.valueInfo[result] = graph.valueInfo[source]
            } else {
                index += 1
                continue
            }
            graph.nodes.remove(at: index)
            changed = true
        }
        if changed { model.graph = graph }
        return changed
    }

    private func isPassThrough(_ node: Node, graph: Graph) -> Bool {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else { return false }
        let extraOutputsUnused = node.outputs.dropFirst().allSatisfy { $0.isEmpty || !graph.usedValues.contains($0) }
        switch node.opType {
        case "Identity":
            return true
        case "Dropout":
            // training_mode (input 2) must be absent or a constant false.
            guard extraOutputsUnused else { return false }
            if node.inputs.count > 2, !node.inputs[2].isEmpty {
                guard let mode = graph.constant(node.inputs[2]), mode.count == 1, mode.doubleValues()[0] == 0 else { return false }
            }
            return true
        case "Cast":
            guard let to = try? node.int("to"), let input = graph.valueInfo[node.inputs[0]] ?? graph.inputs.first(where: { $0.name == node.inputs[0] })?.type
            else { return false }
            return input.dtype.rawValue == to
        case "Reshape", "Flatten", "Squeeze", "Unsqueeze":
            guard let input = type(of: node.inputs[0], in: graph)?.staticDims,
                  let output = graph.valueInfo[node.outputs[0]]?.staticDims else { return false }
            return input == output
        default:
            return false
        }
    }

    private func type(of name: String, in graph: Graph) -> ValueType? {
        graph.valueInfo[name] ?? graph.initializers[name]?.type ?? graph.inputs.first { $0.name == name }?.type
    }
}
