import InferIR
import Testing
@testable import InferOptimizer

/// `compile --explain` lines: the -O2 fusion passes on a small graph record one decision per
/// candidate node (BatchNormalization, ReduceMean, Erf, Softmax, Transpose, MatMul / Conv,
/// elementwise-chain root), either the fusion applied or the first condition that failed. Nodes a
/// fusion took in (Transpose "kt" inside the attention) are not candidates of later passes.
@Suite struct FusionExplainTests {
    static let graph = """
        <
           ir_version: 8,
           opset_import: ["" : 17]
        >
        explain (float[1,2,3,3] image, float[1,2,4,8] q, float[1,2,4,8] k, float[1,2,4,8] v, float[4,8] h)
            => (float[1,2,3,3] features, float[1,2,4,8] attended, float[1,2,4,8] peeked, float[1,2,4,4] weights,
                float[4,8] normed, float[8,4] activated, float[4,8] gated)
           <float[2,2,1,1] w = {1,2,3,4}, float[2] gamma = {1,2}, float[2] beta = {0,1}, float[2] mean = {1,-1}, float[2] var = {3,1},
            float d = {2.828427}, float two = {2.0}, float eps = {1e-05}, float root2 = {1.4142135}, float one = {1.0}, float half = {0.5}>
        {
           [conv] c = Conv (image, w)
           [bn] n = BatchNormalization (c, gamma, beta, mean, var)
           [relu] features = Relu (n)
           [kt] kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           [scores] s = MatMul (q, kt)
           [scale] sc = Div (s, d)
           [softmax] p = Softmax <axis: int = -1> (sc)
           [context] attended = MatMul (p, v)
           [kt2] kt2 = Transpose <perm: ints = [0, 1, 3, 2]> (v)
           [scores2] s2 = MatMul (q, kt2)
           [softmax2] weights = Softmax <axis: int = -1> (s2)
           [context2] peeked = MatMul (weights, v)
           [mean] mu = ReduceMean <axes: ints = [-1]> (h)
           [center] dx = Sub (h, mu)
           [square] sq = Pow (dx, two)
           [variance] var2 = ReduceMean <axes: ints = [-1]> (sq)
           [add_eps] ve = Add (var2, eps)
           [std] std = Sqrt (ve)
           [normed] normed = Div (dx, std)
           [ht] ht = Transpose <perm: ints = [1, 0]> (h)
           [scaled] x2 = Div (ht, root2)
           [erf] e = Erf (x2)
           [plus_one] a = Add (e, one)
           [times_x] m = Mul (ht, a)
           [activated] activated = Mul (m, half)
           [sum] g1 = Add (h, h)
           [sigmoid] g2 = Sigmoid (g1)
           [gated] gated = Mul (g2, h)
        }
        """

    static let expected = [
        #"fold-batchnorm: BatchNormalization "bn": conv+bn applied, 2 nodes into Conv "conv""#,
        #"fuse-layernorm: ReduceMean "mean": layernorm applied, 7 nodes into LayerNormalization "normed""#,
        #"fuse-gelu: Erf "erf": gelu-erf applied, 5 nodes into swiftinfer.Gelu "activated""#,
        #"fuse-attention: Softmax "softmax": attention applied, 5 nodes into swiftinfer.Attention "context""#,
        #"fuse-attention: Softmax "softmax2": attention not fused: the probabilities are not read by one MatMul(·, V) alone"#,
        #"fold-transpose-into-gemm: Transpose "kt2": transpose+matmul not fused: the MatMul computes attention scores, left for fuse-attention"#,
        #"fold-transpose-into-gemm: Transpose "ht": transpose+gemm not fused: read by swiftinfer.Gelu "activated", not as a MatMul / Gemm operand"#,
        #"fuse-gemm-epilogue: Conv "conv": conv+bias+relu applied, 2 nodes into swiftinfer.FusedConv "conv""#,
        #"fuse-gemm-epilogue: MatMul "scores2": matmul+epilogue not fused: its output is read by Softmax "softmax2", not a per-channel bias Add, an activation or a residual Add"#,
        #"fuse-gemm-epilogue: MatMul "context2": matmul+epilogue not fused: its output "peeked" is a graph output"#,
        #"fuse-elementwise: Mul "gated": elementwise-chain applied, 3 nodes into swiftinfer.FusedElementwise "gated""#,
        #"fuse-elementwise: swiftinfer.Gelu "activated": elementwise-chain not fused: no operand is a float32 elementwise op of the output's size read only here"#,
    ]

    @Test func everyCandidateGetsOneLine() throws {
        var model = try ONNXTextParser.parseModel(Self.graph)
        let context = PassContext()
        var manager = PassManager(pipeline: .forLevel(2))
        try manager.run(&model, context: context)
        let lines = context.decisions.map(\.description)
        for (i, (actual, wanted)) in zip(lines, Self.expected).enumerated() where actual != wanted {
            Issue.record("line \(i + 1):\n  actual:   \(actual)\n  expected: \(wanted)")
        }
        #expect(lines.count == Self.expected.count, "\(lines.joined(separator: "\n"))")
        #expect(context.fusions == ["conv+bn": 1, "layernorm": 1, "gelu-erf": 1, "attention": 1, "conv+bias+relu": 1,
                                    "elementwise-chain": 1])
        #expect(context.declined == lines.filter { $0.contains(" not fused: ") })
    }
}
