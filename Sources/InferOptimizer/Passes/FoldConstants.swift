import InferIR

/// `fold-constants`: evaluates every node whose inputs are all constants and replaces it by
/// initializers; also folds `Shape` (and `Size`) of values whose shape is static, so shape
/// subgraphs (Shape→Gather→Unsqueeze→Concat→Reshape) collapse to a constant shape.
/// Results above `maxFoldedBytes` stay as nodes: folding an Expand must not bloat the model.
/// With `keepingQuantizedWeights` (the canonicalization before the fusions), a DequantizeLinear of
/// a constant int8 or uint8 tensor stays a node, so the fusions still see a QDQ model's integer
/// weights (`fuse-quantized-conv`); the canonicalization after the fusions folds what is left.
package struct FoldConstants: Pass {
    package let name = "fold-constants"
    package let maxFoldedBytes: Int
    package let keepsQuantizedWeights: Bool
    package init(maxFoldedBytes: Int = 16 << 20, keepingQuantizedWeights: Bool = false) {
        self.maxFoldedBytes = maxFoldedBytes
        keepsQuantizedWeights = keepingQuantizedWeights
    }

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        var changed = false
        var kept: [Node] = []
        for node in graph.nodes {
            // Nodes with subgraphs (If/Loop/Scan) also read outer values and run only as program steps.
            guard node.domain.isEmpty || node.domain == "ai.onnx", !node.hasSubgraphs, let opset = model.opset(for: node),
                  let folded = try fold(node, opset: opset, graph: graph, context: context),
                  folded.count == node.outputs.count
            else { kept.append(node); continue }
            // Graph outputs that become constants keep working: the executor serves initializers.
            for (name, tensor) in zip(node.outputs, folded) where !name.isEmpty { graph.initializers[name] = tensor }
            changed = true
        }
        if changed {
            graph.nodes = kept
            model.graph = graph
        }
        return changed
    }

    private func fold(_ node: Node, opset: Int, graph: Graph, context: PassContext) throws -> [Tensor]? {
        if node.opType == "Shape" || node.opType == "Size", let name = node.inputs.first,
           let dims = (graph.valueInfo[name] ?? graph.inputs.first(where: { $0.name == name })?.type
                       ?? graph.initializers[name]?.type)?.staticDims {
            if node.opType == "Size" { return [Tensor(scalar: Int64(try CheckedDims(node: node, opset: opset).product(dims, "Size")))] }
            let rank = dims.count
            var start = (try? node.int("start", default: 0)) ?? 0
            var end = (try? node.int("end", default: rank)) ?? rank
            if start < 0 { start += rank }
            if end < 0 { end += rank }
            start = min(max(start, 0), rank)
            end = min(max(end, start), rank)
            let slice = dims[start..<end].map { Int64($0) }
            return [try Tensor(shape: [slice.count], scalars: Array(slice))]
        }
        guard let evaluate = context.evaluate else { return nil }
        if keepsQuantizedWeights, node.opType == "DequantizeLinear", let q = node.inputs.first.flatMap(graph.constant),
           q.dtype == .int8 || q.dtype == .uint8 { return nil }
        // Ops whose output is never a constant worth storing, or that are not pure.
        if Node.nondeterministicOpTypes.contains(node.opType) { return nil }
        var inputs: [Tensor?] = []
        for name in node.inputs {
            if name.isEmpty { inputs.append(nil); continue }
            guard let t = graph.constant(name) else { return nil }
            inputs.append(t)
        }
        // A node with no inputs (Constant, ConstantOfShape with none) folds too.
        if let expected = node.outputs.first.flatMap({ graph.valueInfo[$0] })?.staticDims,
           (elementCount(expected) ?? .max) > maxFoldedBytes / 8 { return nil }
        let outputs = try evaluate(node, opset, inputs)
        guard outputs.allSatisfy({ $0.byteCount <= maxFoldedBytes }) else { return nil }
        return outputs
    }
}
