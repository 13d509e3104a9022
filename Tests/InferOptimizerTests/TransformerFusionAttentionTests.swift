import InferIR
import Testing
@testable import InferOptimizer

/// `fuse-attention` golden before/after texts, each graph written the way an exporter writes it.
@Suite struct TransformerFusionAttentionTests {
    static func model(_ inputs: String, _ body: String, constants: String = "", opset: Int = 17) -> String {
        """
        <
           ir_version: 8,
           opset_import: ["" : \(opset)]
        >
        attn (\(inputs)) => (float[1,2,4,8] y)
           <\(constants)>
        {
        \(body)
        }
        """
    }

    static func fused(_ inputs: String, _ nodes: String, constants: String = "", opset: Int = 17) -> String {
        """
        <
           ir_version: 8,
           opset_import: ["" : \(opset), "swiftinfer" : 1]
        >
        attn (\(inputs)) => (float[1,2,4,8] y)\(constants.isEmpty ? "" : "\n   <\(constants)>")
        {
           \(nodes)
        }

        """
    }

    static let qkv = "float[1,2,4,8] q, float[1,2,4,8] k, float[1,2,4,8] v"
    static let qktv = "float[1,2,4,8] q, float[1,2,8,4] kt, float[1,2,4,8] v"

    /// BERT: Transpose(K) perm [0,1,3,2], Div by √8, Add of a [B,1,1,S] padding mask.
    static let bert = model(qkv + ", float[1,1,1,4] mask", """
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           s = MatMul (q, kt)
           sc = Div (s, d)
           m = Add (sc, mask)
           p = Softmax <axis: int = -1> (m)
           y = MatMul (p, v)
        """, constants: "float d = {2.828427}")

    static let bertFused = fused(qkv + ", float[1,1,1,4] mask",
        #"y = swiftinfer.Attention (q, k, v, mask) <k_transposed: int = 0, masks: strings = ["add"], scale: float = 0.35355338>"#)

    /// Hugging Face GPT-2 (before the 4-D mask rewrite): Where(causal, scores, finfo.min), the causal
    /// mask sized from Shape(scores)[2] (which then reads Q, same row count), then + the padding mask.
    static let gpt2 = model(qkv + ", bool[4,4] causal, float[1,1,1,4] padding", """
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           s = MatMul (q, kt)
           sc = Div (s, d)
           shape = Shape (sc)
           rows = Gather <axis: int = 0> (shape, two)
           w = Where (causal, sc, lowest)
           a = Add (w, padding)
           p = Softmax <axis: int = 3> (a)
           out = MatMul (p, v)
           y = Reshape (out, rows1)
        """, constants: "float d = {2.828427}, int64 two = {2}, float lowest = {-3.4028235e+38}, int64[4] rows1 = {1, 2, 4, 8}")
        .replacingOccurrences(of: "=> (float[1,2,4,8] y)", with: "=> (float[1,2,4,8] y, int64 rows)")

    static let gpt2Fused = """
        <
           ir_version: 8,
           opset_import: ["" : 17, "swiftinfer" : 1]
        >
        attn (\(qkv), bool[4,4] causal, float[1,1,1,4] padding) => (float[1,2,4,8] y, int64 rows)
           <int64[4] rows1 = {1,2,4,8}, int64 two = {2}>
        {
           shape = Shape (q)
           rows = Gather (shape, two) <axis: int = 0>
           out = swiftinfer.Attention (q, k, v, causal, padding) <k_transposed: int = 0, mask_fills: floats = [-3.4028235e+38, 0.0], masks: strings = ["keep", "add"], scale: float = 0.35355338>
           y = Reshape (out, rows1)
        }

        """

    /// PyTorch `scores.masked_fill(~causal, float("-inf"))` (TorchScript and dynamo exporters): the
    /// scores in Where's else-branch, -inf where the folded constant mask is true; K from the head
    /// split already as Kᵀ (Transpose perm [0, 2, 3, 1]), scale a Mul.
    static let maskedFill = model(qktv, """
           s = MatMul (q, kt)
           sc = Mul (s, c)
           w = Where (future, ninf, sc)
           p = Softmax <axis: int = -1> (w)
           y = MatMul (p, v)
        """, constants: "float c = {0.35355338}, float ninf = {-inf}, bool[1,1,4,4] future = {0,1,1,1, 0,0,1,1, 0,0,0,1, 0,0,0,0}")

    static let maskedFillFused = fused(qktv,
        #"y = swiftinfer.Attention (q, kt, v, future) <k_transposed: int = 1, mask_fills: floats = [-inf], masks: strings = ["drop"], scale: float = 0.35355338>"#,
        constants: "bool[1,1,4,4] future = {0,1,1,1,0,0,1,1,0,0,0,1,0,0,0,0}")

    /// T5: no scale (Hugging Face multiplies by a constant 1), the relative-position bias [1, H, S, S]
    /// added, then the [B, 1, 1, S] padding mask.
    static let t5 = model(qktv + ", float[1,1,1,4] mask", """
           s = MatMul (q, kt)
           sc = Mul (s, one)
           b = Add (sc, position_bias)
           m = Add (b, mask)
           p = Softmax <axis: int = -1> (m)
           y = MatMul (p, v)
        """, constants: "float one = {1.0}, float[1,2,4,4] position_bias = {\((0..<32).map { String(Double($0 % 7) / 4 - 0.75) }.joined(separator: ","))}")

    static let t5Fused = fused(qktv + ", float[1,1,1,4] mask",
        #"y = swiftinfer.Attention (q, kt, v, position_bias, mask) <k_transposed: int = 1, masks: strings = ["add", "add"], scale: float = 1.0>"#,
        constants: "float[1,2,4,4] position_bias = {\((0..<32).map { Float(Double($0 % 7) / 4 - 0.75).description }.joined(separator: ","))}")

    /// PyTorch's SDPA export (TorchScript): √scale on Q and on Kᵀ (here 0.5 each: scale 0.25), a bool mask turned into a bias by
    /// Where(mask, 0, -inf), and the probabilities guarded by Where(IsNaN(p), 0, p).
    static let sdpa = model(qkv + ", bool[1,1,1,4] mask", """
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           qs = Mul (q, root)
           ks = Mul (kt, root)
           s = MatMul (qs, ks)
           bias = Where (mask, zero, ninf)
           m = Add (s, bias)
           p = Softmax <axis: int = -1> (m)
           nan = IsNaN (p)
           g = Where (nan, zero, p)
           y = MatMul (g, v)
        """, constants: "float root = {0.5}, float zero = {0.0}, float ninf = {-inf}")

    static let sdpaFused = fused(qkv + ", bool[1,1,1,4] mask", """
        bias = Where (mask, zero, ninf)
           y = swiftinfer.Attention (q, k, v, bias) <k_transposed: int = 0, masks: strings = ["add"], scale: float = 0.25, zero_nan_probabilities: int = 1>
        """.trimmingCharacters(in: .whitespacesAndNewlines), constants: "float ninf = {-inf}, float zero = {0.0}")

    /// K given already transposed, Mul by the scale, no mask.
    static let preTransposed = model(qktv, """
           s = MatMul (q, kt)
           sc = Mul (c, s)
           p = Softmax <axis: int = -1> (sc)
           y = MatMul (p, v)
        """, constants: "float c = {0.125}")

    static let preTransposedFused = fused(qktv,
        #"y = swiftinfer.Attention (q, kt, v) <k_transposed: int = 1, scale: float = 0.125>"#)

    /// The scale applied to Q and (as a Div) to K before the product: both fold into `scale`.
    static let preScaled = model(qkv, """
           qs = Mul (q, c)
           ks = Div (k, d)
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (ks)
           s = MatMul (qs, kt)
           p = Softmax <axis: int = -1> (s)
           y = MatMul (p, v)
        """, constants: "float c = {0.5}, float d = {4.0}")

    static let preScaledFused = fused(qkv,
        #"y = swiftinfer.Attention (q, k, v) <k_transposed: int = 0, scale: float = 0.125>"#)

    /// K transposed inside the product: swiftinfer.FusedMatMul(Q, K, transB = 1), as
    /// fold-transpose-into-gemm writes it (a graph optimized once and compiled again).
    static let transBInside = """
        <
           ir_version: 8,
           opset_import: ["" : 17, "swiftinfer" : 1]
        >
        attn (\(qkv)) => (float[1,2,4,8] y)
           <float c = {0.125}>
        {
           s = swiftinfer.FusedMatMul <transB: int = 1> (q, k)
           sc = Mul (s, c)
           p = Softmax <axis: int = -1> (sc)
           y = MatMul (p, v)
        }
        """

    static let transBInsideFused = fused(qkv,
        #"y = swiftinfer.Attention (q, k, v) <k_transposed: int = 0, scale: float = 0.125>"#)

    /// ONNX Attention (opset 23), 4-D, causal with a bool mask: lowered to the fused op.
    static let onnxAttention = model(qkv + ", bool[1,1,4,4] mask", """
           y = Attention <is_causal: int = 1> (q, k, v, mask)
        """, opset: 23)

    static let onnxAttentionFused = fused(qkv + ", bool[1,1,4,4] mask",
        #"y = swiftinfer.Attention (q, k, v, mask) <causal: int = 1, k_transposed: int = 0, mask_fills: floats = [-inf], masks: strings = ["keep"], scale: float = 0.35355338, zero_fully_masked_rows: int = 1>"#,
        opset: 23)

    @Test(arguments: [(bert, bertFused), (gpt2, gpt2Fused), (maskedFill, maskedFillFused), (t5, t5Fused), (sdpa, sdpaFused),
                      (preTransposed, preTransposedFused), (preScaled, preScaledFused), (transBInside, transBInsideFused)])
    func fuses(_ source: String, _ expected: String) throws {
        let out = try FusionGolden.run(FuseAttention(), on: source)
        #expect(out.changed)
        #expect(out.fusions == ["attention": 1])
        FusionGolden.expectText(out.text, expected)
    }

    @Test func lowersTheONNXAttentionOp() throws {
        let out = try FusionGolden.run(FuseAttention(), on: Self.onnxAttention)
        #expect(out.fusions == ["onnx-attention": 1])
        FusionGolden.expectText(out.text, Self.onnxAttentionFused)
    }

    /// Graphs left as they are, each with the one line `--explain` prints for its Softmax / Attention.
    static let declinedCases: [(String, String)] = [
        // A mask of unknown rank could widen the scores in ways we cannot check.
        (bert.replacingOccurrences(of: "float[1,1,1,4] mask", with: "float[] mask"),
         #"fuse-attention: Softmax producing "p": attention not fused: mask shape unknown"#),
        // The probabilities also exported: nothing to gain.
        (bert.replacingOccurrences(of: "=> (float[1,2,4,8] y)", with: "=> (float[1,2,4,8] y, float[1,2,4,4] p)"),
         #"fuse-attention: Softmax producing "p": attention not fused: the probabilities are not read by one MatMul(·, V) alone"#),
        // The scaled scores also exported.
        (bert.replacingOccurrences(of: "=> (float[1,2,4,8] y)", with: "=> (float[1,2,4,8] y, float[1,2,4,4] sc)"),
         #"fuse-attention: Softmax producing "p": attention not fused: intermediate "sc" is a graph output"#),
        // Softmax over another axis is not attention.
        (bert.replacingOccurrences(of: "Softmax <axis: int = -1>", with: "Softmax <axis: int = 2>"),
         #"fuse-attention: Softmax producing "p": attention not fused: Softmax over axis 2, not the last"#),
        // Scaled after the mask: (QKᵀ + m) / c scales the mask too, which the fused op does not do.
        (model(qkv + ", float[1,1,1,4] mask", """
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           s = MatMul (q, kt)
           m = Add (s, mask)
           sc = Div (m, d)
           p = Softmax <axis: int = -1> (sc)
           y = MatMul (p, v)
        """, constants: "float d = {2.828427}"),
         #"fuse-attention: Softmax producing "p": attention not fused: the scores come from Add producing "m", not MatMul(Q, Kᵀ)"#),
        // Where's fill is a tensor, not a scalar.
        (model(qktv + ", bool[1,1,4,4] keep, float[1,1,4,4] fill", """
           s = MatMul (q, kt)
           w = Where (keep, s, fill)
           p = Softmax <axis: int = -1> (w)
           y = MatMul (p, v)
        """), #"fuse-attention: Softmax producing "p": attention not fused: Where's fill value is not a float32 scalar constant"#),
        // ONNX Attention on 3-D inputs (heads packed in the hidden size) keeps its own kernel.
        (model("float[1,4,16] q, float[1,4,16] k, float[1,4,16] v", """
           y = Attention <q_num_heads: int = 2, kv_num_heads: int = 2> (q, k, v)
        """, opset: 23).replacingOccurrences(of: "float[1,2,4,8] y", with: "float[1,4,16] y"),
         #"fuse-attention: Attention producing "y": onnx-attention not fused: Q is 3-D (heads packed in the hidden size), not 4-D"#),
    ]

    @Test(arguments: declinedCases)
    func declines(_ source: String, _ line: String) throws {
        let out = try FusionGolden.run(FuseAttention(), on: source)
        #expect(!out.changed)
        #expect(out.text == (try FusionGolden.normalized(source)))
        #expect(out.declined == [line])
    }
}
