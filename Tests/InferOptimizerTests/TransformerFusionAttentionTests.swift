import InferIR
import Testing
@testable import InferOptimizer

/// `fuse-attention` golden before/after texts.
@Suite struct TransformerFusionAttentionTests {
    static func model(_ inputs: String, _ body: String, constants: String = "") -> String {
        """
        <
           ir_version: 8,
           opset_import: ["" : 17]
        >
        attn (\(inputs)) => (float[1,2,4,8] y)
           <\(constants)>
        {
        \(body)
        }
        """
    }

    static func fused(_ inputs: String, _ node: String, constants: String = "") -> String {
        """
        <
           ir_version: 8,
           opset_import: ["" : 17, "swiftinfer" : 1]
        >
        attn (\(inputs)) => (float[1,2,4,8] y)\(constants.isEmpty ? "" : "\n   <\(constants)>")
        {
           \(node)
        }

        """
    }

    static let qkv = "float[1,2,4,8] q, float[1,2,4,8] k, float[1,2,4,8] v"

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
        #"y = swiftinfer.Attention (q, k, v, mask) <k_transposed: int = 0, mask_kind: string = "add", scale: float = 0.35355338>"#)

    /// GPT-2: Where(causal, scores, -3.4e38); the causal mask is sized from Shape(scores)[2],
    /// which then reads Q (same row count) so the scores need not exist.
    static let gpt = model(qkv + ", bool[4,4] causal", """
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           s = MatMul (q, kt)
           sc = Div (s, d)
           shape = Shape (sc)
           rows = Gather <axis: int = 0> (shape, two)
           w = Where (causal, sc, lowest)
           p = Softmax <axis: int = 3> (w)
           out = MatMul (p, v)
           y = Reshape (out, rows1)
        """, constants: "float d = {2.828427}, int64 two = {2}, float lowest = {-3.4028235e+38}, int64[4] rows1 = {1, 2, 4, 8}")
        .replacingOccurrences(of: "=> (float[1,2,4,8] y)", with: "=> (float[1,2,4,8] y, int64 rows)")

    static let gptFused = """
        <
           ir_version: 8,
           opset_import: ["" : 17, "swiftinfer" : 1]
        >
        attn (\(qkv), bool[4,4] causal) => (float[1,2,4,8] y, int64 rows)
           <int64[4] rows1 = {1,2,4,8}, int64 two = {2}>
        {
           shape = Shape (q)
           rows = Gather (shape, two) <axis: int = 0>
           out = swiftinfer.Attention (q, k, v, causal) <k_transposed: int = 0, mask_fill: float = -3.4028235e+38, mask_kind: string = "where", scale: float = 0.35355338>
           y = Reshape (out, rows1)
        }

        """

    /// K given already transposed, Mul by the scale, no mask.
    static let preTransposed = model("float[1,2,4,8] q, float[1,2,8,4] kt, float[1,2,4,8] v", """
           s = MatMul (q, kt)
           sc = Mul (c, s)
           p = Softmax <axis: int = -1> (sc)
           y = MatMul (p, v)
        """, constants: "float c = {0.125}")

    static let preTransposedFused = fused("float[1,2,4,8] q, float[1,2,8,4] kt, float[1,2,4,8] v",
        #"y = swiftinfer.Attention (q, kt, v) <k_transposed: int = 1, mask_kind: string = "none", scale: float = 0.125>"#)

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
        #"y = swiftinfer.Attention (q, k, v) <k_transposed: int = 0, mask_kind: string = "none", scale: float = 0.125>"#)

    @Test(arguments: [(bert, bertFused), (gpt, gptFused), (preTransposed, preTransposedFused), (preScaled, preScaledFused)])
    func fuses(_ source: String, _ expected: String) throws {
        let out = try FusionGolden.run(FuseAttention(), on: source)
        #expect(out.changed)
        #expect(out.fusions == ["attention": 1])
        FusionGolden.expectText(out.text, expected)
    }

    /// A mask of unknown rank could widen the scores in ways we cannot check: declined, with the reason.
    @Test func maskOfUnknownShapeIsDeclined() throws {
        let source = Self.bert.replacingOccurrences(of: "float[1,1,1,4] mask", with: "float[] mask")
        let out = try FusionGolden.run(FuseAttention(), on: source)
        #expect(!out.changed)
        #expect(out.text == (try FusionGolden.normalized(source)))
        #expect(out.declined == [#"attention at node producing "p" not fused: mask shape unknown"#])
    }

    /// The probabilities also exported: nothing to gain, declined.
    @Test func exportedProbabilitiesAreNotFused() throws {
        let source = Self.bert.replacingOccurrences(of: "=> (float[1,2,4,8] y)", with: "=> (float[1,2,4,8] y, float[1,2,4,4] m)")
        let out = try FusionGolden.run(FuseAttention(), on: source)
        #expect(!out.changed)
        #expect(out.declined.count == 1)
    }

    /// Softmax over another axis is not attention.
    @Test func softmaxOverRowsIsNotAttention() throws {
        let source = Self.bert.replacingOccurrences(of: "Softmax <axis: int = -1>", with: "Softmax <axis: int = 2>")
        let out = try FusionGolden.run(FuseAttention(), on: source)
        #expect(!out.changed)
    }
}
