import InferIR

/// `convert-weights-to-bf16` (only when compiling for `Precision.bf16`, after the fusions): a
/// GEMM whose B is a constant float matrix becomes `swiftinfer.BF16MatMul` with B rounded to
/// bfloat16 (stored as `[K, N, 2]` bytes, transposed first when the node had transB), so the
/// plan holds half the weight bytes and the kernel multiplies in bf16 with fp32 sums. Covered:
/// MatMul, FusedMatMul without transA, and Gemm / FusedGemm with alpha 1, no transA and C (if
/// any) a per-column bias with beta 1. Everything else (convolutions, attention's products,
/// GEMMs of two activations) stays fp32; `--explain` says why per node.
package struct ConvertWeightsToBF16: Pass {
    package let name = "convert-weights-to-bf16"
    package init() {}

    private typealias M = LinearFusionMatching
    private static let fusion = "bf16-weights"

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        var converted: [String: String] = [:]  // float weight -> its bf16 initializer (shared weights stay shared)
        var replaced: [String] = []
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            let isMatMul = M.isStandard(node) && node.opType == "MatMul"
            let isGemm = (M.isStandard(node) && node.opType == "Gemm") || (node.domain == M.domain && node.opType == "FusedGemm")
            let isFusedMatMul = node.domain == M.domain && node.opType == "FusedMatMul"
            guard isMatMul || isGemm || isFusedMatMul, node.inputs.count >= 2 else { continue }
            switch conversion(of: node, gemm: isGemm, in: graph) {
            case .failure(let reason):
                context.declined(Self.fusion, by: self, at: node, because: reason.description)
            case .success(let (weightName, transB, bias)):
                let w = graph.initializers[weightName]!
                let key = "\(weightName)|\(transB)"
                let bf16Name = converted[key] ?? {
                    let name = graph.freshName("\(weightName)_bf16")
                    graph.initializers[name] = Self.bf16Bytes(w, transposed: transB)
                    converted[key] = name
                    return name
                }()
                var rewritten = Node(name: node.name, opType: "BF16MatMul", domain: M.domain,
                                     inputs: [node.inputs[0], bf16Name, bias ?? ""], outputs: node.outputs)
                // The epilogue carries over unchanged (a standard op has none).
                for key in ["activation", "activation_params", "has_residual", "residual_before_activation"] {
                    if let value = node.attributes[key] { rewritten.attributes[key] = value }
                }
                if (try? node.int("has_residual", default: 0)) ?? 0 != 0, node.inputs.count > 3 {
                    rewritten.inputs.append(node.inputs[3])
                } else {
                    while rewritten.inputs.last == "" { rewritten.inputs.removeLast() }
                }
                graph.nodes[index] = rewritten
                replaced.append(weightName)
                context.applied(Self.fusion, by: self, at: node, nodes: 1, into: rewritten)
            }
        }
        guard !replaced.isEmpty else { return false }
        M.removeUnusedInitializers(replaced, from: &graph)
        model.graph = graph
        M.importDomain(&model)
        return true
    }

    /// The constant weight (and whether it is stored transposed) and the bias input, or why not.
    private func conversion(of node: Node, gemm: Bool, in graph: Graph) -> Result<(String, Bool, String?), Reason> {
        let weightName = node.inputs[1]
        guard let w = graph.initializers[weightName], !graph.graphInputNames.contains(weightName) else {
            return .failure(Reason("B is not a constant"))
        }
        guard w.dtype == .float32, w.rank == 2 else { return .failure(Reason("B is \(w.dtype)\(w.shape), not a float matrix")) }
        guard (try? node.int("transA", default: 0)) == 0 else { return .failure(Reason("transA is set")) }
        let transB = (try? node.int("transB", default: 0)) != 0
        let n = transB ? w.shape[0] : w.shape[1]
        guard gemm else {
            // MatMul has no bias; FusedMatMul's bias input 2 is already per column.
            return .success((weightName, transB, node.inputs.count > 2 && !node.inputs[2].isEmpty ? node.inputs[2] : nil))
        }
        guard (try? node.float("alpha", default: 1)) == 1 else { return .failure(Reason("alpha is not 1")) }
        guard node.inputs.count > 2, !node.inputs[2].isEmpty else { return .success((weightName, transB, nil)) }
        let c = node.inputs[2]
        guard (try? node.float("beta", default: 1)) == 1 else { return .failure(Reason("C is scaled by beta")) }
        guard let shape = M.type(of: c, in: graph)?.shape?.map(\.intValue),
              shape == [n] || shape == [1, n] else {
            return .failure(Reason("C is not a per-column bias [\(n)]"))
        }
        return .success((weightName, transB, c))
    }

    /// `w` (or its transpose) as bfloat16, two little-endian bytes per value, shape [K, N, 2].
    static func bf16Bytes(_ w: Tensor, transposed: Bool) -> Tensor {
        let values = (try? w.scalars(as: Float.self)) ?? []
        let (rows, cols) = (w.shape[0], w.shape[1])
        let (k, n) = transposed ? (cols, rows) : (rows, cols)
        var bytes = [UInt8](repeating: 0, count: k * n * 2)
        for i in 0..<k {
            for j in 0..<n {
                let bits = BFloat16.bits(values[transposed ? j * cols + i : i * cols + j])
                bytes[2 * (i * n + j)] = UInt8(truncatingIfNeeded: bits)
                bytes[2 * (i * n + j) + 1] = UInt8(truncatingIfNeeded: bits >> 8)
            }
        }
        return Tensor(shape: [k, n, 2], exactly: bytes)
    }

    /// A declined conversion's reason (Result needs an Error).
    struct Reason: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
