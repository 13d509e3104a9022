import InferIR
import Testing
@testable import InferOptimizer

/// `fuse-elementwise` golden before/after texts.
@Suite struct TransformerFusionElementwiseTests {
    /// Bias add, residual add, then a swiftinfer.Gelu: one loop; the scalar constant inlined.
    static let chain = """
    <
       ir_version: 8,
       opset_import: ["" : 17, "swiftinfer" : 1]
    >
    ew (float[2,8] x, float[2,8] r) => (float[2,8] y)
       <float[8] bias = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}, float half = {0.5}>
    {
       a = Add (bias, x)
       b = Add (a, r)
       g = swiftinfer.Gelu <approximate: string = "none"> (b)
       y = Mul (g, half)
    }
    """

    static let chainFused = """
    <
       ir_version: 8,
       opset_import: ["" : 17, "swiftinfer" : 1]
    >
    ew (float[2,8] x, float[2,8] r) => (float[2,8] y)
       <float[8] bias = {1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0}>
    {
       y = swiftinfer.FusedElementwise (bias, x, r) <constants: floats = [0.5], program: strings = ["in:0", "in:1", "Add", "in:2", "Add", "Gelu", "c:0", "Mul"]>
    }

    """

    /// BERT's padding mask: (1 - mask) * lowest, the Cast stays (not a float op); Pow 2 becomes Square.
    /// A value with two readers (s) ends a chain: both readers become their own chains.
    static let branches = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    ew (float[2,1,1,8] m, float[2,8] x) => (float[2,1,1,8] y, float[2,8] z, float[2,8] w)
       <float one = {1.0}, float lowest = {-3.4028235e+38}, float two = {2.0}>
    {
       s = Sub (one, m)
       y = Mul (s, lowest)
       t = Tanh (x)
       e = Exp (t)
       z = Pow (e, two)
       w = Sigmoid (t)
    }
    """

    static let branchesFused = """
    <
       ir_version: 8,
       opset_import: ["" : 17, "swiftinfer" : 1]
    >
    ew (float[2,1,1,8] m, float[2,8] x) => (float[2,1,1,8] y, float[2,8] z, float[2,8] w)
    {
       y = swiftinfer.FusedElementwise (m) <constants: floats = [1.0, -3.4028235e+38], program: strings = ["c:0", "in:0", "Sub", "c:1", "Mul"]>
       t = Tanh (x)
       z = swiftinfer.FusedElementwise (t) <program: strings = ["in:0", "Exp", "Square"]>
       w = Sigmoid (t)
    }

    """

    @Test(arguments: [(chain, chainFused, 1), (branches, branchesFused, 2)])
    func fuses(_ source: String, _ expected: String, _ chains: Int) throws {
        let out = try FusionGolden.run(FuseElementwise(), on: source)
        #expect(out.changed)
        #expect(out.fusions == ["elementwise-chain": chains])
        FusionGolden.expectText(out.text, expected)
    }

    /// A small intermediate broadcast into a large output would be recomputed per element: the chain
    /// stops there. Here the only chain left is a single op: nothing changes.
    @Test func broadcastIntermediateEndsTheChain() throws {
        let source = """
        <
           ir_version: 8,
           opset_import: ["" : 17]
        >
        ew (float[1,8] b, float[4,8] x) => (float[4,8] y)
        {
           e = Exp (b)
           y = Add (x, e)
        }
        """
        let out = try FusionGolden.run(FuseElementwise(), on: source)
        #expect(!out.changed)
        #expect(out.text == (try FusionGolden.normalized(source)))
    }

    /// Integer arithmetic is not fused (the program is float32).
    @Test func integerChainsStay() throws {
        let source = """
        <
           ir_version: 8,
           opset_import: ["" : 17]
        >
        ew (int64[4] a, int64[4] b) => (int64[4] y)
        {
           s = Add (a, b)
           y = Mul (s, b)
        }
        """
        let out = try FusionGolden.run(FuseElementwise(), on: source)
        #expect(!out.changed)
    }
}
