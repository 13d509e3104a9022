import InferIR

/// `fuse-quantized-add`: a QDQ model's residual add (as ONNX Runtime's `quantize_static` writes
/// it),
///
///     y = QuantizeLinear(Add(DequantizeLinear(a, sa, za), DequantizeLinear(b, sb, zb)), sy, zy)
///
/// becomes `swiftinfer.QuantizedAdd(a, sa, za, b, sb, zb, sy, zy)`: one pass over the bytes with
/// the same float arithmetic, instead of two float tensors dequantized, added and quantized
/// again. Needs a, b and y of one 8-bit type and one shape (no broadcasting), every scale and
/// zero point a one-value constant, and the Add's only reader the QuantizeLinear. The
/// DequantizeLinears stay while other nodes read them.
package struct FuseQuantizedAdd: Pass {
    package let name = "fuse-quantized-add"
    package init() {}

    private static let kind = "quantized-add"

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        var rewriter = FusionRewriter()
        for (i, add) in model.graph.nodes.enumerated() where add.isStandard("Add") && add.inputs.count == 2 {
            guard let (a, _) = view.producer(add.inputs[0], ["DequantizeLinear"]),
                  let (b, _) = view.producer(add.inputs[1], ["DequantizeLinear"]) else { continue }
            let dqa = view.node(a), dqb = view.node(b)
            guard let (q, quantize) = view.soleReader(of: add.outputs[0], ["QuantizeLinear"]) else {
                context.declined(Self.kind, by: self, at: add, because: "its result is not only read by a QuantizeLinear")
                continue
            }
            if let reason = mismatch(dqa, dqb, quantize, view) {
                context.declined(Self.kind, by: self, at: add, because: reason)
                continue
            }
            let fused = Node(name: add.name, opType: "QuantizedAdd", domain: LinearFusionMatching.domain,
                             inputs: Array(dqa.inputs.prefix(3)) + Array(dqb.inputs.prefix(3)) + Array(quantize.inputs[1...2]),
                             outputs: quantize.outputs)
            if rewriter.replace([i, q], root: q, with: fused) {
                context.applied(Self.kind, by: self, at: add, nodes: 2, into: fused)
            }
        }
        guard try rewriter.apply(to: &model, context: context) else { return false }
        LinearFusionMatching.importDomain(&model)
        return true
    }

    /// Why the three nodes cannot be one QuantizedAdd, or nil when they can.
    private func mismatch(_ dqa: Node, _ dqb: Node, _ quantize: Node, _ view: FusionPatternView) -> String? {
        let graph = view.graph
        guard let ta = view.type(dqa.inputs[0]), let tb = view.type(dqb.inputs[0]),
              ta.dtype == .uint8 || ta.dtype == .int8, tb.dtype == ta.dtype else {
            return "a and b are not of one 8-bit type"
        }
        guard let sa = ta.shape, let sb = tb.shape, sa == sb, sa.allSatisfy({ $0.intValue != nil }) else {
            return "a and b do not have one known shape (broadcasting adds stay in float)"
        }
        for node in [dqa, dqb, quantize] {
            guard node.inputs.count >= 3, let scale = graph.constant(node.inputs[1]), scale.dtype == .float32, scale.count == 1,
                  let zero = graph.constant(node.inputs[2]), zero.dtype == ta.dtype, zero.count == 1 else {
                return "\(node.opType) \(node.name) has no one-value constant scale and \(ta.dtype) zero point"
            }
            if ((try? node.int("block_size", default: 0)) ?? 0) != 0 { return "\(node.opType) \(node.name) is blocked" }
        }
        if let dtype = try? quantize.int("output_dtype", default: 0), dtype != 0, DType(onnxCode: dtype) != ta.dtype {
            return "the QuantizeLinear writes another type than a and b"
        }
        return nil
    }
}
