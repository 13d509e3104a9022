import InferIR

/// `fuse-dynamic-quantized-matmul`: the chain ONNX Runtime's `quantize_dynamic` writes for a MatMul
/// with constant weights,
///
///     xq, xs, xzp = DynamicQuantizeLinear(x)
///     y = Cast<float>(MatMulInteger(xq, Wq, xzp, wzp)) * Mul(xs, w_scale)
///
/// becomes `swiftinfer.Int8MatMul(x, Wq, -, -, w_scale)` with `activation_quantization =
/// "tensor"`: the int8 kernel quantizes x by DynamicQuantizeLinear's own rule and computes the
/// same integers, so the fused output has the unfused chain's bits. Needs Wq a constant int8
/// matrix, wzp absent or all zero (symmetric weights, quantize_dynamic's default for QInt8),
/// w_scale a constant float scalar or one per column, and every intermediate read only by the
/// chain (the DynamicQuantizeLinear may feed several MatMulIntegers and stays while one does).
package struct FuseDynamicQuantizedMatMul: Pass {
    package let name = "fuse-dynamic-quantized-matmul"
    package init() {}

    private static let kind = "dynamic-quantized-matmul"

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        var rewriter = FusionRewriter()
        for (i, node) in model.graph.nodes.enumerated() where node.isStandard("MatMulInteger") {
            switch match(i, view) {
            case .failure(let reason):
                context.declined(Self.kind, by: self, at: node, because: reason.description)
            case .success(let found):
                let (k, n) = (found.weight.shape[0], found.weight.shape[1])
                guard k <= ConvertWeightsToReducedPrecision.int8MaximumDepth else {
                    context.declined(Self.kind, by: self, at: node, because: "K = \(k) is more than the int8 kernel's exact int32 sums allow")
                    continue
                }
                let scales = found.scale.count == 1 ? [Float](repeating: found.scale[0], count: n) : found.scale
                let scaleName = rewriter.addInitializer("\(node.inputs[1])_column_scale", Tensor(shape: [n], exactly: scales), in: view.graph)
                let fused = Node(name: node.name, opType: "Int8MatMul", domain: LinearFusionMatching.domain,
                                 inputs: [found.x, node.inputs[1], "", "", scaleName], outputs: [found.output],
                                 attributes: ["activation_quantization": .string("tensor")])
                if rewriter.replace(found.nodes, root: found.root, with: fused) {
                    context.applied(Self.kind, by: self, at: node, nodes: found.nodes.count, into: fused)
                }
            }
        }
        return try rewriter.apply(to: &model, context: context)
    }

    private struct Match {
        var x: String
        var weight: Tensor
        var scale: [Float]
        var output: String
        var nodes: Set<Int>
        var root: Int
    }

    private func match(_ i: Int, _ view: FusionPatternView) -> Result<Match, ConvertWeightsToReducedPrecision.Reason> {
        typealias Reason = ConvertWeightsToReducedPrecision.Reason
        let mm = view.node(i)
        guard mm.inputs.count >= 3, let (_, quantize) = view.producer(mm.inputs[0], ["DynamicQuantizeLinear"]),
              quantize.outputs.count == 3, mm.inputs[2] == quantize.outputs[2] else {
            return .failure(Reason("A and its zero point are not one DynamicQuantizeLinear's"))
        }
        guard let weight = view.graph.constant(mm.inputs[1]), weight.dtype == .int8, weight.rank == 2 else {
            return .failure(Reason("B is not a constant int8 matrix"))
        }
        if mm.inputs.count > 3, !mm.inputs[3].isEmpty {
            guard let zero = view.graph.constant(mm.inputs[3]), let values = try? zero.scalars(as: Int8.self),
                  values.allSatisfy({ $0 == 0 }) else {
                return .failure(Reason("B's zero point is not a constant 0 (asymmetric weights)"))
            }
        }
        guard let (castIndex, cast) = view.soleReader(of: mm.outputs[0], ["Cast"]),
              (try? cast.int("to", default: 0)) == Int(DType.float32.rawValue) else {
            return .failure(Reason("the int32 product is not read by one Cast to float"))
        }
        guard let (mulIndex, mul) = view.soleReader(of: cast.outputs[0], ["Mul"]),
              let scaleProduct = view.otherOperand(of: mul, than: cast.outputs[0]),
              let (productIndex, product) = view.producer(scaleProduct, ["Mul"]),
              let wScaleName = view.otherOperand(of: product, than: quantize.outputs[1]) else {
            return .failure(Reason("the float product is not scaled by Mul(x_scale, w_scale)"))
        }
        let n = weight.shape[1]
        guard let wScale = view.graph.constant(wScaleName), wScale.dtype == .float32,
              let scale = try? wScale.scalars(as: Float.self), scale.count == 1 || (scale.count == n && wScale.shape.last == n) else {
            return .failure(Reason("w_scale is not a constant float scalar or [\(n)]"))
        }
        var nodes: Set<Int> = [i, castIndex, mulIndex]
        // The scale product goes with the chain when nothing else reads it.
        if view.soleReader(of: scaleProduct)?.index == mulIndex { nodes.insert(productIndex) }
        return .success(Match(x: quantize.inputs[0], weight: weight, scale: scale, output: mul.outputs[0], nodes: nodes, root: mulIndex))
    }
}
