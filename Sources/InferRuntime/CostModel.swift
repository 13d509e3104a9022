import InferIR

/// Floating-point operation estimates per node, from inferred shapes. Counts a fused
/// multiply-add as 2 FLOPs (the usual GEMM convention); data movement counts 0.
package enum CostModel {
    /// Throws when a count overflows (only absurd shapes and attributes can make it).
    package static func flops(of node: Node, in graph: Graph) throws -> Int {
        let c = CheckedDims(node: node, opset: nil)
        func dims(_ name: String) -> [Int]? {
            if let t = graph.initializers[name] { return t.shape }
            if let v = graph.valueInfo[name]?.staticDims { return v }
            return graph.inputs.first { $0.name == name }?.type.staticDims
        }
        func count(_ name: String) throws -> Int { try dims(name).map { try c.elementCount($0, "the FLOP count") } ?? 0 }
        func times(_ values: Int...) throws -> Int { try c.product(values, "the FLOP count") }
        let out = try node.outputs.first.map(count) ?? 0
        guard node.domain.isEmpty || node.domain == "ai.onnx" || node.domain == "swiftinfer" else { return out }
        switch node.opType {
        case "MatMul", "FusedMatMul", "BF16MatMul", "Int8MatMul":
            guard let a = dims(node.inputs[0]), let k = a.last else { return 0 }
            return try times(2, out, k)
        case "Gemm", "FusedGemm":
            guard let a = dims(node.inputs[0]), a.count == 2 else { return 0 }
            let k = (try? node.int("transA", default: 0)) == 1 ? a[0] : a[1]
            return try times(2, out, k)
        case "Conv", "FusedConv", "Int8Conv":
            guard node.inputs.count > 1, let w = dims(node.inputs[1]), w.count >= 3 else { return 0 }
            return try times(2, out, try c.product(w.dropFirst(), "the FLOP count"))
        case "ConvTranspose":
            guard node.inputs.count > 1, let w = dims(node.inputs[1]), w.count >= 3 else { return 0 }
            // Each input element meets W's [M/group, k...] slice of its group.
            return try times(2, try count(node.inputs[0]), try c.product(w.dropFirst(), "the FLOP count"))
        case "MaxPool", "AveragePool":
            let kernel = (try? node.ints("kernel_shape", default: [])) ?? []
            return try times(out, try c.product(kernel, "the FLOP count"))
        case "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin":
            return try node.inputs.first.map(count) ?? 0
        case "Attention" where node.domain == "swiftinfer":
            // Q·Kᵀ and P·V: 2 FLOPs per multiply-add, each out element × Sk twice (K is [.., Sk, D]).
            guard node.inputs.count > 1, let k = dims(node.inputs[1]), k.count >= 2 else { return out }
            return try times(4, out, k[k.count - 2])
        case "Softmax", "LogSoftmax": return try times(5, out)
        case "LayerNormalization", "BatchNormalization", "InstanceNormalization", "GroupNormalization": return try times(8, out)
        case "Erf", "Tanh", "Sigmoid", "Exp", "Log", "Gelu": return try times(8, out)
        case "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Shape", "Transpose", "Concat",
             "Split", "Slice", "Gather", "Expand", "Constant", "ConstantOfShape", "Cast", "Range", "Size", "Tile":
            return 0
        default:
            return out
        }
    }

    package static func totalFLOPs(of graph: Graph) throws -> Int {
        try CheckedDims(label: "the model's FLOP count").sum(try graph.nodes.map { try flops(of: $0, in: graph) }, "the total")
    }
}
