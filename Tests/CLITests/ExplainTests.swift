import Foundation
import Testing

/// `compile --explain` as a user runs it: after the summary line, one line per fusion candidate.
@Suite struct ExplainTests {
    /// Two attentions over the same Q: the first fuses; the second scales its scores after the
    /// padding mask (so the mask is scaled too), which the fused op cannot express.
    static let graph = """
        <
           ir_version: 8,
           opset_import: ["" : 17]
        >
        two (float[1,2,4,8] q, float[1,2,4,8] k, float[1,2,4,8] v, float[1,1,1,4] mask) => (float[1,2,4,8] y, float[1,2,4,8] z)
           <float d = {2.828427}>
        {
           [kt] kt = Transpose <perm: ints = [0, 1, 3, 2]> (k)
           [scores] s = MatMul (q, kt)
           [scale] sc = Div (s, d)
           [mask] m = Add (sc, mask)
           [softmax] p = Softmax <axis: int = -1> (m)
           [context] y = MatMul (p, v)
           [vt] vt = Transpose <perm: ints = [0, 1, 3, 2]> (v)
           [scores2] s2 = MatMul (q, vt)
           [mask2] m2 = Add (s2, mask)
           [scale2] sc2 = Div (m2, d)
           [softmax2] p2 = Softmax <axis: int = -1> (sc2)
           [context2] z = MatMul (p2, k)
        }
        """

    @Test func explainSaysWhyAttentionDidNotFuse() throws {
        let dir = try CLI.temporaryDirectory()
        let model = dir.appendingPathComponent("two.onnxtxt")
        try Self.graph.write(to: model, atomically: true, encoding: .utf8)
        let r = try CLI.run(["compile", model.path, "-o", dir.appendingPathComponent("two.plan").path, "--explain"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let section = Array(lines.drop { $0 != "fusion decisions (one per candidate node):" })
        #expect(section == [
            "fusion decisions (one per candidate node):",
            #"  fuse-attention: Softmax "softmax": attention applied, 6 nodes into swiftinfer.Attention "context""#,
            #"  fuse-attention: Softmax "softmax2": attention not fused: the scores come from Add "mask2", not MatMul(Q, Kᵀ)"#,
            #"  fold-transpose-into-gemm: Transpose "vt": transpose+matmul not fused: the MatMul computes attention scores, left for fuse-attention"#,
            #"  fuse-gemm-epilogue: MatMul "scores2": matmul+epilogue not fused: its output is read by Add "mask2", not a per-channel bias Add, an activation or a residual Add"#,
            #"  fuse-gemm-epilogue: MatMul "context2": matmul+epilogue not fused: its output "z" is a graph output"#,
            #"  fuse-elementwise: Div "scale2": elementwise-chain applied, 2 nodes into swiftinfer.FusedElementwise "scale2""#,
        ], "\(r.stdout)")
    }
}
