import Foundation
import InferIR
import Testing
@testable import InferRuntime

/// The attention forms exporters write, fused (-O2) against the graph as written (-O0) on seeded
/// inputs (`TransformerFusionDifferentialTests.expectSameResults`), and the rows a mask leaves
/// empty: -inf everywhere gives NaN unfused, so fused too; the guards that turn them into zeros
/// (SDPA's IsNaN Where, ONNX Attention's rule) give zeros.
@Suite struct AttentionFusionDifferentialTests {
    typealias D = TransformerFusionDifferentialTests
    static let qkv = "float[2,3,6,8] q, float[2,3,6,8] k, float[2,3,6,8] v"
    static let qktv = "float[2,3,6,8] q, float[2,3,8,6] kt, float[2,3,6,8] v"

    /// A [1,1,6,6] bool constant: true above the diagonal (the keys a causal query may not see).
    static let future = "bool[1,1,6,6] future = {\((0..<36).map { $0 % 6 > $0 / 6 ? "1" : "0" }.joined(separator: ","))}"

    /// PyTorch `masked_fill(future, -inf)` with K already transposed by the head split.
    @Test func maskedFillCausal() throws {
        try D.expectSameResults(D.header(Self.qktv, "float[2,3,6,8] y") + """
           <float c = {0.35355338}, float ninf = {-inf}, \(Self.future)>
        {
           s = MatMul (q, kt)
           sc = Mul (s, c)
           w = Where (future, ninf, sc)
           p = Softmax <axis: int = -1> (w)
           y = MatMul (p, v)
        }
        """, expectFused: ["swiftinfer.Attention"])
    }

    /// Hugging Face GPT-2: Where(causal, scores, finfo.min) then + a padding bias of finfo.min:
    /// masked and padded keys sum to -inf, and the order (Where, then Add) matters.
    @Test func gpt2KeepThenPaddingBias() throws {
        let padding = (0..<12).map { $0 % 6 >= 4 && $0 >= 6 ? "-3.4028235e+38" : "0" }.joined(separator: ",")
        try D.expectSameResults(D.header(Self.qkv, "float[2,3,6,8] y") + """
           <float d = {2.828427}, float lowest = {-3.4028235e+38}, float[2,1,1,6] padding = {\(padding)},
            bool[6,6] causal = {\((0..<36).map { $0 % 6 <= $0 / 6 ? "1" : "0" }.joined(separator: ","))}>
        {
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           s = MatMul (q, kt)
           sc = Div (s, d)
           w = Where (causal, sc, lowest)
           a = Add (w, padding)
           p = Softmax <axis: int = -1> (a)
           y = MatMul (p, v)
        }
        """, expectFused: ["swiftinfer.Attention"])
    }

    /// T5: relative-position bias [1, H, S, S] then the padding mask, no scale.
    @Test func t5RelativeBiasThenMask() throws {
        try D.expectSameResults(D.header(Self.qktv + ", float[2,1,1,6] mask", "float[2,3,6,8] y") + """
           <float[1,3,6,6] bias = {\((0..<108).map { String(Double($0 % 11) / 5 - 1) }.joined(separator: ","))}>
        {
           s = MatMul (q, kt)
           b = Add (s, bias)
           m = Add (b, mask)
           p = Softmax <axis: int = -1> (m)
           y = MatMul (p, v)
        }
        """, expectFused: ["swiftinfer.Attention"])
    }

    /// torch.onnx's dynamo SDPA with is_causal: a Trilu of ones (folded to a constant at -O2) turned
    /// into a -inf bias, √scale on Q and on Kᵀ.
    @Test func dynamoCausalTrilu() throws {
        try D.expectSameResults(D.header(Self.qkv, "float[2,3,6,8] y", opset: 18) + """
           <int64[2] square = {6, 6}, float root = {0.59460354}, float zero = {0.0}, float ninf = {-inf}>
        {
           ones = ConstantOfShape <value: tensor = float[1] {1.0}> (square)
           tri = Trilu <upper: int = 0> (ones)
           outside = Equal (tri, zero)
           bias = Where (outside, ninf, zero)
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           qs = Mul (q, root)
           ks = Mul (kt, root)
           s = MatMul (qs, ks)
           m = Add (s, bias)
           p = Softmax <axis: int = -1> (m)
           y = MatMul (p, v)
        }
        """, expectFused: ["swiftinfer.Attention"])
    }

    /// The scale after the mask is not the fused op's form: declined, and the graph still computes the same.
    @Test func scaleAfterMaskStaysCorrect() throws {
        let source = D.header(Self.qkv + ", float[2,1,1,6] mask", "float[2,3,6,8] y") + """
           <float d = {2.828427}>
        {
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           s = MatMul (q, kt)
           m = Add (s, mask)
           sc = Div (m, d)
           p = Softmax <axis: int = -1> (sc)
           y = MatMul (p, v)
        }
        """
        try D.expectSameResults(source, expectFused: [])
        let optimized = try Engine(model: ONNXTextParser.parseModel(source), optimization: .full)
        #expect(!optimized.model.graph.nodes.contains { $0.opType == "Attention" })
    }

    // MARK: - Rows with nothing to attend to

    /// Row 0 of every head masked everywhere (-inf): NaN unfused, NaN fused; other rows agree.
    static let emptyFirstRow = "bool[1,1,6,6] masked = {\((0..<36).map { $0 < 6 || $0 % 6 > $0 / 6 ? "1" : "0" }.joined(separator: ","))}"

    @Test func fullyMaskedRowIsNaNAsUnfused() throws {
        let source = D.header(Self.qktv, "float[2,3,6,8] y") + """
           <float ninf = {-inf}, \(Self.emptyFirstRow)>
        {
           s = MatMul (q, kt)
           w = Where (masked, ninf, s)
           p = Softmax <axis: int = -1> (w)
           y = MatMul (p, v)
        }
        """
        try D.expectSameResults(source, expectFused: ["swiftinfer.Attention"])
        let y = try Self.output(source, .full)
        #expect(Self.row(y, 0).allSatisfy { $0.isNaN }, "a fully masked row is NaN, as Softmax of -inf everywhere")
        #expect(Self.row(y, 1).allSatisfy { $0.isFinite })
    }

    /// PyTorch SDPA's guard Where(IsNaN(p), 0, p): the empty row becomes zeros, fused as unfused.
    @Test func sdpaNaNGuardGivesZeroRows() throws {
        let source = D.header(Self.qkv, "float[2,3,6,8] y") + """
           <float zero = {0.0}, float ninf = {-inf}, float root = {0.59460354}, \(Self.emptyFirstRow)>
        {
           kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           qs = Mul (q, root)
           ks = Mul (kt, root)
           s = MatMul (qs, ks)
           bias = Where (masked, ninf, zero)
           m = Add (s, bias)
           p = Softmax <axis: int = -1> (m)
           nan = IsNaN (p)
           g = Where (nan, zero, p)
           y = MatMul (g, v)
        }
        """
        try D.expectSameResults(source, expectFused: ["swiftinfer.Attention"])
        let y = try Self.output(source, .full)
        #expect(Self.row(y, 0).allSatisfy { $0 == 0 })
        #expect(Self.row(y, 1).contains { $0 != 0 })
    }

    /// ONNX Attention (opset 23) lowered to the fused op against its own (Double) kernel at -O0:
    /// causal plus a bool mask emptying row 0 (zeros, as the spec says), and a float mask.
    @Test(arguments: ["bool[1,1,6,6] mask", "float[2,1,6,6] mask"])
    func onnxAttentionOp(_ maskType: String) throws {
        let source = D.header(Self.qkv + ", \(maskType)", "float[2,3,6,8] y", opset: 23) + """
        {
           y = Attention <is_causal: int = 1> (q, k, v, mask)
        }
        """
        let model = try ONNXTextParser.parseModel(source)
        let fused = try Engine(model: model, optimization: .full)
        #expect(fused.model.graph.nodes.map(\.qualifiedOpType) == ["swiftinfer.Attention"])
        var feeds = try D.randomInputs(model, seed: 7)
        if maskType.hasPrefix("bool") {
            feeds["mask"] = try Tensor(shape: [1, 1, 6, 6], scalars: (0..<36).map { $0 >= 6 && $0 % 3 != 1 })
        }
        let expected = try Engine(model: model, optimization: .none).run(feeds)["y"]!
        let actual = try fused.run(feeds)["y"]!
        let cmp = TensorComparison(actual: actual, expected: expected, rtol: 1e-4, atol: 1e-5)
        #expect(cmp.passed, "\(cmp)")
        if maskType.hasPrefix("bool") { #expect(Self.row(actual, 0).allSatisfy { $0 == 0 }) }
    }

    static func output(_ source: String, _ level: OptimizationLevel) throws -> Tensor {
        let model = try ONNXTextParser.parseModel(source)
        return try Engine(model: model, optimization: level).run(D.randomInputs(model, seed: 1))["y"]!
    }

    /// Row `r` of every [6, 8] matrix of a [2, 3, 6, 8] output.
    static func row(_ y: Tensor, _ r: Int) -> [Float] {
        let values = (try? y.scalars(as: Float.self)) ?? []
        return (0..<6).flatMap { m in values[(m * 6 + r) * 8..<(m * 6 + r + 1) * 8] }
    }
}
