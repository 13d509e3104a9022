import InferIR
import Testing
@testable import InferOptimizer

/// `fuse-layernorm` golden before/after texts.
@Suite struct TransformerFusionLayerNormTests {
    /// PyTorch's decomposed LayerNorm at opset 17: axes as an attribute, Pow 2, Div, γ, β.
    static let decomposed = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    ln (float[2,3,4] x) => (float[2,3,4] y)
       <float[4] gamma = {1.0, 2.0, 3.0, 4.0}, float[4] beta = {0.5, 0.25, 0.0, -0.5}, float two = {2.0}, float eps = {1e-05}>
    {
       mean = ReduceMean <axes: ints = [-1]> (x)
       d = Sub (x, mean)
       sq = Pow (d, two)
       var = ReduceMean <axes: ints = [-1]> (sq)
       ve = Add (var, eps)
       std = Sqrt (ve)
       n = Div (d, std)
       g = Mul (n, gamma)
       y = Add (g, beta)
    }
    """

    static let decomposedFused = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    ln (float[2,3,4] x) => (float[2,3,4] y)
       <float[4] beta = {0.5,0.25,0.0,-0.5}, float[4] gamma = {1.0,2.0,3.0,4.0}>
    {
       y = LayerNormalization (x, gamma, beta) <axis: int = -1, epsilon: float = 1e-05>
    }

    """

    /// Opset 18: axes as an input (positive last axis), Mul(d, d), Reciprocal + Mul, γ as [1,1,4], no β,
    /// and x read by a residual Add outside the pattern (x is the input, so that is fine).
    static let opset18 = """
    <
       ir_version: 8,
       opset_import: ["" : 18]
    >
    ln (float[2,3,4] x) => (float[2,3,4] y, float[2,3,4] r)
       <int64[1] axes = {2}, float[1,1,4] gamma = {1.0, 2.0, 3.0, 4.0}, float eps = {0.001}>
    {
       mean = ReduceMean (x, axes)
       d = Sub (x, mean)
       sq = Mul (d, d)
       var = ReduceMean (sq, axes)
       ve = Add (eps, var)
       std = Sqrt (ve)
       inv = Reciprocal (std)
       n = Mul (inv, d)
       y = Mul (gamma, n)
       r = Add (x, x)
    }
    """

    static let opset18Fused = """
    <
       ir_version: 8,
       opset_import: ["" : 18]
    >
    ln (float[2,3,4] x) => (float[2,3,4] y, float[2,3,4] r)
       <float[4] gamma_vector = {1.0,2.0,3.0,4.0}>
    {
       y = LayerNormalization (x, gamma_vector) <axis: int = -1, epsilon: float = 0.001>
       r = Add (x, x)
    }

    """

    /// No γ, β: a ones scale is added.
    static let bare = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    ln (float[N,8] x) => (float[N,8] y)
       <float two = {2.0}, float eps = {1e-05}>
    {
       mean = ReduceMean <axes: ints = [1]> (x)
       d = Sub (x, mean)
       sq = Pow (d, two)
       var = ReduceMean <axes: ints = [1]> (sq)
       ve = Add (var, eps)
       std = Sqrt (ve)
       y = Div (d, std)
    }
    """

    static let bareFused = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    ln (float[N,8] x) => (float[N,8] y)
       <float[1] y_scale = {1.0}>
    {
       y = LayerNormalization (x, y_scale) <axis: int = -1, epsilon: float = 1e-05>
    }

    """

    /// RMSNorm (T5 / LLaMA style): x · 1/sqrt(mean(x²) + ε) · γ.
    static let rms = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    rms (float[2,4] x) => (float[2,4] y)
       <float[4] gamma = {1.0, 2.0, 3.0, 4.0}, float two = {2.0}, float eps = {1e-06}>
    {
       sq = Pow (x, two)
       ms = ReduceMean <axes: ints = [-1]> (sq)
       ve = Add (ms, eps)
       std = Sqrt (ve)
       inv = Reciprocal (std)
       n = Mul (x, inv)
       y = Mul (n, gamma)
    }
    """

    static let rmsFused = """
    <
       ir_version: 8,
       opset_import: ["" : 17, "swiftinfer" : 1]
    >
    rms (float[2,4] x) => (float[2,4] y)
       <float[4] gamma = {1.0,2.0,3.0,4.0}>
    {
       y = swiftinfer.RMSNormalization (x, gamma) <axis: int = -1, epsilon: float = 1e-06>
    }

    """

    @Test(arguments: [
        (decomposed, decomposedFused, "layernorm"),
        (opset18, opset18Fused, "layernorm"),
        (bare, bareFused, "layernorm"),
        (rms, rmsFused, "rmsnorm"),
    ])
    func fuses(_ source: String, _ expected: String, _ kind: String) throws {
        let out = try FusionGolden.run(FuseLayerNorm(), on: source)
        #expect(out.changed)
        #expect(out.fusions == [kind: 1])
        FusionGolden.expectText(out.text, expected)
    }

    /// Reducing a middle axis is not a LayerNormalization over the last axis: unchanged, explained.
    @Test func middleAxisIsDeclined() throws {
        let source = Self.decomposed.replacingOccurrences(of: "axes: ints = [-1]", with: "axes: ints = [1]")
        let out = try FusionGolden.run(FuseLayerNorm(), on: source)
        #expect(!out.changed)
        #expect(out.text == (try FusionGolden.normalized(source)))
        #expect(out.declined == [
            #"fuse-layernorm: ReduceMean producing "mean": layernorm not fused: ReduceMean does not reduce only the last axis with keepdims"#,
            #"fuse-layernorm: ReduceMean producing "var": rmsnorm not fused: no ReduceMean / Add eps / Sqrt / Div chain after the square"#,
        ])
    }

    /// The centered value also exported: fusing would not remove it, so nothing is fused.
    @Test func intermediateReadOutsideIsDeclined() throws {
        let source = Self.decomposed.replacingOccurrences(of: "=> (float[2,3,4] y)", with: "=> (float[2,3,4] y, float[2,3,4] std)")
        let out = try FusionGolden.run(FuseLayerNorm(), on: source)
        #expect(!out.changed)
        #expect(out.declined == [
            #"fuse-layernorm: ReduceMean producing "mean": layernorm not fused: no Pow 2 / ReduceMean / Add eps / Sqrt / Div chain after Sub"#,
            #"fuse-layernorm: ReduceMean producing "var": rmsnorm not fused: no ReduceMean / Add eps / Sqrt / Div chain after the square"#,
        ])
    }
}
