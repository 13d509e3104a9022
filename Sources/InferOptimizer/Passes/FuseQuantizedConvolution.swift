import InferIR

/// `fuse-quantized-conv`: a convolution of a QDQ model (as ONNX Runtime's `quantize_static`
/// writes it),
///
///     y = Conv(DequantizeLinear(xq, x_scale, x_zero_point), DequantizeLinear(Wq, w_scale), B)
///
/// becomes `swiftinfer.Int8Conv(xq, Wq, B, w_scale, x_scale, x_zero_point)`: the uint8
/// activations and int8 weights are multiplied in int32 (exact) and scaled once, instead of
/// dequantizing both and convolving in float. Needs xq uint8 with one constant scale and zero
/// point; Wq a constant int8 weight with zero points absent or all 0 (symmetric) and w_scale a
/// constant scalar or one per output channel (axis 0); B absent or a constant float (a QDQ
/// model's int32 bias, dequantized by the canonicalization); group 1. The DequantizeLinear of
/// x stays while another node reads it. When y's only reader is a QuantizeLinear with one
/// constant scale and zero point (what quantize_static puts after every convolution), that
/// goes in too (`Int8Conv`'s Y_scale, Y_zero_point): the convolution writes the bytes the next
/// layer reads, not floats. A depthwise 3x3 convolution (MobileNet's) between a uint8
/// DequantizeLinear and a QuantizeLinear becomes `QuantizedDepthwiseConv` instead (float
/// arithmetic on the dequantized weights, one plane at a time in cache). `--explain` says why a
/// convolution was left alone.
package struct FuseQuantizedConvolution: Pass {
    package let name = "fuse-quantized-conv"
    package init() {}

    private static let kind = "quantized-conv"

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        let view = FusionPatternView(model)
        var rewriter = FusionRewriter()
        for (i, node) in model.graph.nodes.enumerated() where node.isStandard("Conv") {
            if ((try? node.int("group", default: 1)) ?? 1) > 1 {
                fuseDepthwise(i, node, view, &rewriter, context)
                continue
            }
            switch match(node, view) {
            case .failure(let reason):
                // A float model's convolutions are not candidates: say nothing about them.
                if reason.isQuantized { context.declined(Self.kind, by: self, at: node, because: reason.text) }
            case .success(let found):
                let scales = found.weightScale.count == 1
                    ? [Float](repeating: found.weightScale[0], count: found.outChannels) : found.weightScale
                let scaleName = rewriter.addInitializer("\(found.weight)_channel_scale", Tensor(shape: [found.outChannels], exactly: scales),
                                                        in: view.graph)
                var inputs = [found.input, found.weight, found.bias ?? "", scaleName, found.inputScale, found.inputZero]
                var (nodes, root, outputs) = (Set([i]), i, node.outputs)
                if let (q, quantize) = requantization(of: node, view) {
                    inputs += [quantize.inputs[1], quantize.inputs.count > 2 ? quantize.inputs[2] : ""]
                    (nodes, root, outputs) = ([i, q], q, quantize.outputs)
                }
                var fused = Node(name: node.name, opType: "Int8Conv", domain: LinearFusionMatching.domain,
                                 inputs: inputs, outputs: outputs)
                for key in ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"] {
                    if let value = node.attributes[key] { fused.attributes[key] = value }
                }
                if rewriter.replace(nodes, root: root, with: fused) {
                    context.applied(Self.kind, by: self, at: node, nodes: nodes.count, into: fused)
                }
            }
        }
        guard try rewriter.apply(to: &model, context: context) else { return false }
        LinearFusionMatching.importDomain(&model)
        return true
    }

    /// A depthwise 3x3 convolution between a uint8 DequantizeLinear and a QuantizeLinear (each
    /// per tensor) becomes `QuantizedDepthwiseConv` on the float weights the model dequantizes
    /// (folded after the fusions): the unfused nodes' arithmetic, one plane at a time.
    private func fuseDepthwise(_ i: Int, _ conv: Node, _ view: FusionPatternView, _ rewriter: inout FusionRewriter,
                               _ context: PassContext) {
        guard conv.inputs.count >= 2, let (_, dqx) = view.producer(conv.inputs[0], ["DequantizeLinear"]) else { return }
        func decline(_ text: String) { context.declined(Self.kind, by: self, at: conv, because: text) }
        let graph = view.graph
        guard dqx.inputs.count >= 3, let zero = graph.constant(dqx.inputs[2]), zero.dtype == .uint8, zero.count == 1,
              let scale = graph.constant(dqx.inputs[1]), scale.dtype == .float32, scale.count == 1 else {
            return decline("grouped: X's DequantizeLinear is not uint8 with one constant scale and zero point")
        }
        // W: a constant, or the DequantizeLinear of one (folded to float after the fusions).
        let weight = conv.inputs[1]
        let wType = graph.constant(weight)?.type ?? view.producer(weight, ["DequantizeLinear"]).flatMap { producer in
            graph.constant(producer.node.inputs[0]).map { ValueType(dtype: .float32, shape: $0.type.shape) }
        }
        guard let shape = wType?.staticDims, let channels = view.type(conv.inputs[0])?.staticDims?[1],
              shape == [channels, 1, 3, 3], ((try? conv.int("group", default: 1)) ?? 1) == channels else {
            return decline("group > 1 and not a depthwise 3x3 with a constant weight (grouped convolutions dequantize and run in float)")
        }
        let strides = (try? conv.ints("strides")) ?? [1, 1], dilations = (try? conv.ints("dilations")) ?? [1, 1]
        guard strides.count == 2, strides[0] == strides[1], strides[0] == 1 || strides[0] == 2, dilations.allSatisfy({ $0 == 1 }) else {
            return decline("depthwise with strides \(strides) and dilations \(dilations) (the int8 path has 3x3 at stride 1 or 2)")
        }
        if conv.inputs.count > 2, !conv.inputs[2].isEmpty, graph.constant(conv.inputs[2])?.dtype != .float32 {
            return decline("depthwise with a bias that is not a constant float")
        }
        guard let (q, quantize) = requantization(of: conv, view), quantize.inputs.count > 2, !quantize.inputs[2].isEmpty else {
            return decline("depthwise whose result is not quantized per tensor next (only Conv -> QuantizeLinear runs in int8)")
        }
        var fused = Node(name: conv.name, opType: "QuantizedDepthwiseConv", domain: LinearFusionMatching.domain,
                         inputs: [dqx.inputs[0], weight, conv.inputs.count > 2 ? conv.inputs[2] : "", dqx.inputs[1], dqx.inputs[2],
                                  quantize.inputs[1], quantize.inputs.count > 2 ? quantize.inputs[2] : ""],
                         outputs: quantize.outputs)
        for key in ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"] {
            if let value = conv.attributes[key] { fused.attributes[key] = value }
        }
        if rewriter.replace([i, q], root: q, with: fused) {
            context.applied(Self.kind, by: self, at: conv, nodes: 2, into: fused)
        }
    }

    /// The QuantizeLinear that is the convolution's only reader, when it quantizes per tensor
    /// with constants: one float scale, and a uint8 or int8 zero point (or none: uint8).
    private func requantization(of conv: Node, _ view: FusionPatternView) -> (Int, Node)? {
        guard let (q, quantize) = view.soleReader(of: conv.outputs[0], ["QuantizeLinear"]),
              quantize.inputs.count >= 2, quantize.inputs[0] == conv.outputs[0],
              let scale = view.graph.constant(quantize.inputs[1]), scale.dtype == .float32, scale.count == 1,
              ((try? quantize.int("block_size", default: 0)) ?? 0) == 0 else { return nil }
        if quantize.inputs.count > 2, !quantize.inputs[2].isEmpty {
            guard let zero = view.graph.constant(quantize.inputs[2]), zero.count == 1,
                  zero.dtype == .uint8 || zero.dtype == .int8 else { return nil }
        }
        // QuantizeLinear 21's output_dtype attribute may name another type than the zero point's.
        if let dtype = try? quantize.int("output_dtype", default: 0), dtype != 0 {
            let expected = quantize.inputs.count > 2 && !quantize.inputs[2].isEmpty
                ? view.graph.constant(quantize.inputs[2])?.dtype : DType.uint8
            guard let expected, DType(onnxCode: dtype) == expected else { return nil }
        }
        return (q, quantize)
    }

    private struct Match {
        var input: String
        var inputScale: String
        var inputZero: String
        var weight: String
        var weightScale: [Float]
        var outChannels: Int
        var bias: String?
    }

    /// Why a Conv was not fused; `isQuantized` when its input or weight came from a DequantizeLinear.
    private struct Reason: Error {
        let text: String
        let isQuantized: Bool
    }

    private func match(_ conv: Node, _ view: FusionPatternView) -> Result<Match, Reason> {
        guard conv.inputs.count >= 2, let (_, dqx) = view.producer(conv.inputs[0], ["DequantizeLinear"]),
              let (_, dqw) = view.producer(conv.inputs[1], ["DequantizeLinear"]) else {
            let quantized = conv.inputs.prefix(2).contains { view.producer($0, ["DequantizeLinear"]) != nil }
            return .failure(Reason(text: "X and W are not both DequantizeLinear outputs", isQuantized: quantized))
        }
        func fail(_ text: String) -> Result<Match, Reason> { .failure(Reason(text: text, isQuantized: true)) }
        let graph = view.graph
        // X: uint8 with one scale and zero point.
        guard dqx.inputs.count >= 3, let zero = graph.constant(dqx.inputs[2]), zero.dtype == .uint8, zero.count == 1 else {
            return fail("X's DequantizeLinear has no uint8 zero point (int8 activations stay in float)")
        }
        guard let scale = graph.constant(dqx.inputs[1]), scale.dtype == .float32, scale.count == 1,
              let s = try? scale.scalars(as: Float.self).first, s.isFinite else {
            return fail("X's scale is not one finite float constant")
        }
        // W: a constant int8 weight, symmetric, scaled per tensor or per output channel.
        guard let w = graph.constant(dqw.inputs[0]), w.dtype == .int8, w.rank >= 3, w.rank <= 5 else {
            return fail("W is not a constant int8 Conv weight (1 to 3 spatial dims)")
        }
        let m = w.shape[0]
        if dqw.inputs.count > 2, !dqw.inputs[2].isEmpty {
            guard let wz = graph.constant(dqw.inputs[2]), let values = try? wz.scalars(as: Int8.self), values.allSatisfy({ $0 == 0 }) else {
                return fail("W's zero point is not a constant 0 (asymmetric weights)")
            }
        }
        guard let wScale = graph.constant(dqw.inputs[1]), wScale.dtype == .float32,
              let ws = try? wScale.scalars(as: Float.self), ws.count == 1 || ws.count == m, ws.allSatisfy(\.isFinite) else {
            return fail("W's scale is not a finite float constant, one or one per output channel (\(m))")
        }
        if ws.count > 1 {
            var axis = (try? dqw.int("axis", default: 1)) ?? 1
            if axis < 0 { axis += w.rank }
            guard axis == 0, wScale.rank == 1, ((try? dqw.int("block_size", default: 0)) ?? 0) == 0 else {
                return fail("W's scales are not per output channel (axis 0)")
            }
        }
        guard ((try? conv.int("group", default: 1)) ?? 1) == 1 else {
            return fail("group > 1 (grouped and depthwise convolutions dequantize and run in float)")
        }
        let k = w.shape.dropFirst().reduce(1, *)
        guard k <= ConvertWeightsToReducedPrecision.int8MaximumDepth else {
            return fail("K = \(k) is more than the int8 kernel's exact int32 sums allow")
        }
        var bias: String? = nil
        if conv.inputs.count > 2, !conv.inputs[2].isEmpty {
            guard let b = graph.constant(conv.inputs[2]), b.dtype == .float32, b.count == m else {
                return fail("B is not a constant float [\(m)]")
            }
            bias = conv.inputs[2]
        }
        return .success(Match(input: dqx.inputs[0], inputScale: dqx.inputs[1], inputZero: dqx.inputs[2], weight: dqw.inputs[0],
                              weightScale: ws, outChannels: m, bias: bias))
    }
}
