import InferIR

/// `fuse-quantized-maxpool`: a QDQ model's pool (as ONNX Runtime's `quantize_static` writes
/// ResNet's stem),
///
///     y = QuantizeLinear(MaxPool(DequantizeLinear(x, s, z)), s, z)
///
/// becomes `MaxPool(x)` on the 8-bit values themselves. Exact: DequantizeLinear is increasing
/// (s > 0), so the largest dequantized value is the dequantized largest byte, and quantizing it
/// again with the same s and z gives that byte back ((q - z) · s / s rounds to q - z for a
/// normal s and |q - z| ≤ 255). Needs one constant scale (positive, normal) and zero point,
/// the same on both sides, and no Indices output.
package struct FuseQuantizedMaxPool: Pass {
    package let name = "fuse-quantized-maxpool"
    package init() {}

    private static let kind = "quantized-maxpool"

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        guard view.opset >= 12 else { return false }   // MaxPool takes int8 and uint8 from opset 12
        var rewriter = FusionRewriter()
        for (i, pool) in model.graph.nodes.enumerated() where pool.isStandard("MaxPool") {
            guard let (_, dequantize) = view.producer(pool.inputs[0], ["DequantizeLinear"]) else { continue }
            guard pool.outputs.count == 1 || pool.outputs[1...].allSatisfy(\.isEmpty),
                  let (q, quantize) = view.soleReader(of: pool.outputs[0], ["QuantizeLinear"]) else {
                context.declined(Self.kind, by: self, at: pool, because: "its result is not only read by a QuantizeLinear (or it has Indices)")
                continue
            }
            if let reason = mismatch(dequantize, quantize, view) {
                context.declined(Self.kind, by: self, at: pool, because: reason)
                continue
            }
            var fused = pool
            fused.inputs = [dequantize.inputs[0]]
            fused.outputs = quantize.outputs
            if rewriter.replace([i, q], root: q, with: fused) {
                context.applied(Self.kind, by: self, at: pool, nodes: 2, into: fused)
            }
        }
        return try rewriter.apply(to: &model, context: context)
    }

    /// Why the pool cannot run on the bytes, or nil when it can.
    private func mismatch(_ dequantize: Node, _ quantize: Node, _ view: FusionPatternView) -> String? {
        let graph = view.graph
        guard let type = view.type(dequantize.inputs[0]), type.dtype == .uint8 || type.dtype == .int8 else {
            return "its input is not dequantized from int8 or uint8"
        }
        guard dequantize.inputs.count >= 3, quantize.inputs.count >= 3,
              let s1 = graph.constant(dequantize.inputs[1]), let s2 = graph.constant(quantize.inputs[1]),
              let z1 = graph.constant(dequantize.inputs[2]), let z2 = graph.constant(quantize.inputs[2]),
              s1.dtype == .float32, s2.dtype == .float32, s1.count == 1, s2.count == 1, z1.count == 1, z2.count == 1,
              z1.dtype == type.dtype, z2.dtype == type.dtype,
              let a = try? s1.scalars(as: Float.self).first, let b = try? s2.scalars(as: Float.self).first else {
            return "its DequantizeLinear and QuantizeLinear do not have one constant scale and zero point each"
        }
        guard a == b, a.isNormal, a > 0, a < 1e30, z1.doubleValues() == z2.doubleValues() else {
            return "the QuantizeLinear's scale or zero point is not the DequantizeLinear's (or the scale is not a normal positive float)"
        }
        if let dtype = try? quantize.int("output_dtype", default: 0), dtype != 0, DType(onnxCode: dtype) != type.dtype {
            return "the QuantizeLinear writes another type"
        }
        return nil
    }
}
