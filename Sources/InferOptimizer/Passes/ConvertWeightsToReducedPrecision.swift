import InferIR

/// `convert-weights-to-bf16` / `convert-weights-to-int8` (only when compiling for
/// `Precision.bf16` or `.int8`, after the fusions): a GEMM whose B is a constant float matrix
/// becomes `swiftinfer.BF16MatMul` with B rounded to bfloat16 (stored as `[K, N, 2]` bytes), or
/// `swiftinfer.Int8MatMul` with B quantized per column to int8 (symmetric: scale max|b| / 127,
/// stored beside it), transposed first when the node had transB. The plan holds half or a
/// quarter of the weight bytes. Covered: MatMul, FusedMatMul without transA, and Gemm /
/// FusedGemm with alpha 1, no transA and C (if any) a per-column bias with beta 1. Everything
/// else (convolutions, attention's products, GEMMs of two activations) stays fp32; `--explain`
/// says why per node.
package struct ConvertWeightsToReducedPrecision: Pass {
    package let name: String
    private let precision: Precision
    private let fusion: String

    private typealias M = LinearFusionMatching

    package init(_ precision: Precision) {
        precondition(precision != .fp32, "fp32 needs no weight conversion")
        self.precision = precision
        name = "convert-weights-to-\(precision.rawValue)"
        fusion = "\(precision.rawValue)-weights"
    }

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        // float weight -> its converted initializers (shared weights stay shared)
        var converted: [String: [String]] = [:]
        var replaced: [String] = []
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            let isMatMul = M.isStandard(node) && node.opType == "MatMul"
            let isGemm = (M.isStandard(node) && node.opType == "Gemm") || (node.domain == M.domain && node.opType == "FusedGemm")
            let isFusedMatMul = node.domain == M.domain && node.opType == "FusedMatMul"
            guard isMatMul || isGemm || isFusedMatMul, node.inputs.count >= 2 else { continue }
            switch conversion(of: node, gemm: isGemm, in: graph) {
            case .failure(let reason):
                context.declined(fusion, by: self, at: node, because: reason.description)
            case .success(let (weightName, transB, bias)):
                let w = graph.initializers[weightName]!
                let key = "\(weightName)|\(transB)"
                let weights = converted[key] ?? {
                    let tensors = convertedWeights(w, transposed: transB)
                    let names = tensors.map { suffix, tensor in
                        let name = graph.freshName("\(weightName)_\(suffix)")
                        graph.initializers[name] = tensor
                        return name
                    }
                    converted[key] = names
                    return names
                }()
                let residual = (try? node.int("has_residual", default: 0)) ?? 0 != 0 && node.inputs.count > 3 ? node.inputs[3] : nil
                let opType = precision == .bf16 ? "BF16MatMul" : "Int8MatMul"
                var inputs = [node.inputs[0], weights[0], bias ?? "", residual ?? ""]
                if precision == .int8 { inputs.append(weights[1]) }
                while inputs.last == "" { inputs.removeLast() }
                var rewritten = Node(name: node.name, opType: opType, domain: M.domain, inputs: inputs, outputs: node.outputs)
                // The epilogue carries over unchanged (a standard op has none).
                for key in ["activation", "activation_params", "has_residual", "residual_before_activation"] {
                    if let value = node.attributes[key] { rewritten.attributes[key] = value }
                }
                graph.nodes[index] = rewritten
                replaced.append(weightName)
                context.applied(fusion, by: self, at: node, nodes: 1, into: rewritten)
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
        let (k, n) = transB ? (w.shape[1], w.shape[0]) : (w.shape[0], w.shape[1])
        if precision == .int8, k > Self.int8MaximumDepth {
            return .failure(Reason("K = \(k) is more than the int8 kernel's exact int32 sums allow (\(Self.int8MaximumDepth))"))
        }
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

    /// The initializers that replace weight `w`, each with its name's suffix: the bf16 matrix,
    /// or the int8 matrix and its column scales (in the op's input order).
    private func convertedWeights(_ w: Tensor, transposed: Bool) -> [(String, Tensor)] {
        if precision == .bf16 { return [("bf16", Self.bf16Bytes(w, transposed: transposed))] }
        let (q, scales) = Self.int8PerColumn(w, transposed: transposed)
        return [("int8", q), ("scale", scales)]
    }

    /// The most K the int8 GEMM sums exactly (CReducedPrecision's CINFER_INT8_MAX_DEPTH).
    static let int8MaximumDepth = 65536

    /// `w` (or its transpose) as `[K, N]` int8 quantized per column j with the symmetric scale
    /// max_i |w[i][j]| / 127 (1 for an all-zero column), values round(w / scale) (to nearest
    /// even) in [-127, 127]; and the scales, float `[N]`. A non-finite weight makes its column's
    /// scale NaN, so that column's outputs are NaN, as the fp32 product's would be.
    static func int8PerColumn(_ w: Tensor, transposed: Bool) -> (Tensor, Tensor) {
        let values = (try? w.scalars(as: Float.self)) ?? []
        let (rows, cols) = (w.shape[0], w.shape[1])
        let (k, n) = transposed ? (cols, rows) : (rows, cols)
        func b(_ i: Int, _ j: Int) -> Float { values[transposed ? j * cols + i : i * cols + j] }
        var q = [Int8](repeating: 0, count: k * n), scales = [Float](repeating: 1, count: n)
        for j in 0..<n {
            var peak: Float = 0, finite = true
            for i in 0..<k { let x = b(i, j); finite = finite && x.isFinite; peak = max(peak, abs(x)) }
            guard finite else { scales[j] = .nan; continue }
            let scale = peak > 0 ? peak / 127 : 1
            scales[j] = scale
            for i in 0..<k { q[i * n + j] = Int8(max(-127, min(127, (b(i, j) / scale).rounded(.toNearestOrEven)))) }
        }
        return (Tensor(shape: [k, n], exactly: q), Tensor(shape: [n], exactly: scales))
    }

    /// A declined conversion's reason (Result needs an Error).
    struct Reason: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
