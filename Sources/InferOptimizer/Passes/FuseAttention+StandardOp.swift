import InferIR

/// ONNX's own Attention (opset 23+) on 4-D float32 Q, K, V is swiftinfer.Attention: scale (default
/// 1/√head_size) on the product, a bool `attn_mask` as a keep-mask with fill -inf or a float one as
/// an additive bias, `is_causal` as `causal`, and the spec's rule that a fully masked row gives zeros.
/// What the fused kernel does not do (3-D packed heads, a KV cache, softcap, sliding windows, grouped
/// KV heads, the extra outputs) stays on the standard op's own kernel.
extension FuseAttention {
    func lowerStandardAttention(_ index: Int, _ view: FusionPatternView) throws -> AttentionMatch {
        let node = view.node(index)
        func input(_ i: Int) -> String? { i < node.inputs.count && !node.inputs[i].isEmpty ? node.inputs[i] : nil }
        var dims: [[Int]] = []
        for (i, name) in ["Q", "K", "V"].enumerated() {
            guard let t = view.type(node.inputs[i]) else { throw AttentionMismatch("\(name) type unknown") }
            guard t.dtype == .float32 else { throw AttentionMismatch("\(name) is \(t.dtype), not float32") }
            guard let rank = t.rank else { throw AttentionMismatch("\(name) rank unknown") }
            guard rank == 4 else { throw AttentionMismatch("\(name) is \(rank)-D (heads packed in the hidden size), not 4-D") }
            dims.append((t.shape ?? []).map { $0.intValue ?? -1 })
        }
        guard input(4) == nil, input(5) == nil else { throw AttentionMismatch("past_key/past_value (a KV cache) are given") }
        guard input(6) == nil else { throw AttentionMismatch("nonpad_kv_seqlen is given") }
        for (i, name) in [(1, "present_key"), (2, "present_value"), (3, "qk_matmul_output")] where i < node.outputs.count {
            let v = node.outputs[i]
            guard v.isEmpty || (view.readers(of: v).isEmpty && !view.isExported(v)) else { throw AttentionMismatch("\(name) is used") }
        }
        guard (try node.float("softcap", default: 0)) == 0 else { throw AttentionMismatch("softcap is set") }
        if node.hasAttribute("softmax_precision") {
            let precision = try node.int("softmax_precision")
            guard precision == Int(DType.float32.rawValue) else { throw AttentionMismatch("softmax_precision \(precision) is not float") }
        }
        guard (try node.int("left_window_size", default: -1)) < 0, (try node.int("right_window_size", default: -1)) < 0 else {
            throw AttentionMismatch("a sliding window is set")
        }
        let (q, k) = (dims[0], dims[1])
        guard q[1] > 0, k[1] > 0 else { throw AttentionMismatch("head counts unknown") }
        guard k[1] == q[1] || k[1] == 1 else { throw AttentionMismatch("grouped KV heads (\(q[1]) query heads, \(k[1]) KV heads)") }

        var attributes = FusedAttentionAttributes(zeroFullyMaskedRows: true)
        if node.hasAttribute("scale") {
            attributes.scale = try node.float("scale")
        } else {
            guard q[3] > 0 else { throw AttentionMismatch("head size unknown (needed for the default scale)") }
            attributes.scale = Float(1 / Double(q[3]).squareRoot())
        }
        attributes.causal = try node.int("is_causal", default: 0) != 0
        var inputs = Array(node.inputs.prefix(3))
        if let mask = input(3) {
            guard let t = view.type(mask), let shape = t.staticDims else { throw AttentionMismatch("attn_mask shape unknown") }
            // The spec pads a mask shorter than the keys with -inf; the fused op only broadcasts.
            guard q.allSatisfy({ $0 > 0 }), k[2] > 0,
                  Broadcasting.shape([q[0], q[1], q[2], k[2]], shape) == [q[0], q[1], q[2], k[2]] else {
                throw AttentionMismatch("attn_mask \(shape) does not broadcast to the scores")
            }
            switch t.dtype {
            case .bool: attributes.masks = [.keep(fill: -.infinity)]
            case .float32: attributes.masks = [.add]
            default: throw AttentionMismatch("attn_mask is \(t.dtype)")
            }
            inputs.append(mask)
        }
        let fused = Node(name: node.name, opType: "Attention", domain: FusedTransformerOperators.domain, inputs: inputs,
                         outputs: [node.outputs[0]], attributes: attributes.attributes)
        return AttentionMatch(nodes: [index], root: index, fused: fused)
    }
}
