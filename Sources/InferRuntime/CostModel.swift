import InferIR

/// Floating-point operation estimates per node, from inferred shapes. Counts a fused
/// multiply-add as 2 FLOPs (the usual GEMM convention); data movement counts 0.
package enum CostModel {
    package static func flops(of node: Node, in graph: Graph) -> Int {
        func dims(_ name: String) -> [Int]? {
            if let t = graph.initializers[name] { return t.shape }
            if let v = graph.valueInfo[name]?.staticDims { return v }
            return graph.inputs.first { $0.name == name }?.type.staticDims
        }
        func count(_ name: String) -> Int { dims(name).flatMap(elementCount) ?? 0 }
        let out = node.outputs.first.map(count) ?? 0
        guard node.domain.isEmpty || node.domain == "ai.onnx" || node.domain == "swiftinfer" else { return out }
        switch node.opType {
        case "MatMul", "FusedMatMul":
            guard let a = dims(node.inputs[0]), let k = a.last else { return 0 }
            return 2 * out * k
        case "Gemm", "FusedGemm":
            guard let a = dims(node.inputs[0]), a.count == 2 else { return 0 }
            let k = (try? node.int("transA", default: 0)) == 1 ? a[0] : a[1]
            return 2 * out * k
        case "Conv", "FusedConv":
            guard node.inputs.count > 1, let w = dims(node.inputs[1]), w.count >= 3 else { return 0 }
            return 2 * out * w.dropFirst().reduce(1, *)
        case "ConvTranspose":
            guard node.inputs.count > 1, let w = dims(node.inputs[1]), w.count >= 3 else { return 0 }
            let group = (try? node.int("group", default: 1)) ?? 1
            return 2 * count(node.inputs[0]) * (w[1] * max(group, 1) / max(group, 1)) * w.dropFirst(2).reduce(1, *)
        case "MaxPool", "AveragePool":
            let kernel = (try? node.ints("kernel_shape", default: [])) ?? []
            return out * kernel.reduce(1, *)
        case "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin":
            return node.inputs.first.map(count) ?? 0
        case "Attention" where node.domain == "swiftinfer":
            // Q·Kᵀ and P·V: 2 FLOPs per multiply-add, each out element × Sk twice (K is [.., Sk, D]).
            guard node.inputs.count > 1, let k = dims(node.inputs[1]), k.count >= 2 else { return out }
            return 4 * out * k[k.count - 2]
        case "Softmax", "LogSoftmax": return 5 * out
        case "LayerNormalization", "BatchNormalization", "InstanceNormalization", "GroupNormalization": return 8 * out
        case "Erf", "Tanh", "Sigmoid", "Exp", "Log", "Gelu": return 8 * out
        case "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Shape", "Transpose", "Concat",
             "Split", "Slice", "Gather", "Expand", "Constant", "ConstantOfShape", "Cast", "Range", "Size", "Tile":
            return 0
        default:
            return out
        }
    }

    package static func totalFLOPs(of graph: Graph) -> Int {
        graph.nodes.reduce(0) { $0 + flops(of: $1, in: graph) }
    }
}
