import InferIR
import Testing
@testable import InferOptimizer

/// `fuse-gelu` golden before/after texts: the erf form in its exporter variants and the tanh form.
@Suite struct TransformerFusionGeluTests {
    static func model(_ body: String, constants: String) -> String {
        """
        <
           ir_version: 8,
           opset_import: ["" : 17]
        >
        g (float[2,8] x) => (float[2,8] y)
           <\(constants)>
        {
        \(body)
        }
        """
    }

    static func fused(_ approximate: String) -> String {
        """
        <
           ir_version: 8,
           opset_import: ["" : 17, "swiftinfer" : 1]
        >
        g (float[2,8] x) => (float[2,8] y)
        {
           y = swiftinfer.Gelu (x) <approximate: string = "\(approximate)">
        }

        """
    }

    /// BERT (HF): Div by 1.4142, Erf, Add 1, Mul x, Mul 0.5 afterwards.
    static let bert = model("""
           d = Div (x, s)
           e = Erf (d)
           a = Add (e, one)
           m = Mul (x, a)
           y = Mul (m, half)
        """, constants: "float s = {1.4142135}, float one = {1.0}, float half = {0.5}")

    /// Mul by 0.7071 (3 digits is within tolerance), ½ applied to x first, operands swapped.
    static let halfFirst = model("""
           d = Mul (r, x)
           e = Erf (d)
           a = Add (one, e)
           h = Mul (half, x)
           y = Mul (a, h)
        """, constants: "float r = {0.7071}, float one = {1.0}, float half = {0.5}")

    /// ½ applied to (1 + erf), then times x; the ½ as a rank-1 constant.
    static let halfOnSum = model("""
           d = Div (x, s)
           e = Erf (d)
           a = Add (e, one)
           h = Mul (a, half)
           y = Mul (h, x)
        """, constants: "float s = {1.41421}, float one = {1.0}, float[1] half = {0.5}")

    /// GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with Pow 3.
    static let gpt2 = model("""
           h = Mul (half, x)
           p = Pow (x, three)
           k = Mul (c, p)
           w = Add (x, k)
           u = Mul (s, w)
           t = Tanh (u)
           a = Add (one, t)
           y = Mul (h, a)
        """, constants: "float half = {0.5}, float three = {3.0}, float c = {0.044715}, float s = {0.7978846}, float one = {1.0}")

    /// The tanh form with x³ as a Mul chain and the ½ at the end.
    static let tanhMulChain = model("""
           x2 = Mul (x, x)
           p = Mul (x2, x)
           k = Mul (p, c)
           w = Add (k, x)
           u = Mul (w, s)
           t = Tanh (u)
           a = Add (t, one)
           m = Mul (x, a)
           y = Mul (m, half)
        """, constants: "float half = {0.5}, float c = {0.044715}, float s = {0.79788}, float one = {1.0}")

    @Test(arguments: [(bert, "none"), (halfFirst, "none"), (halfOnSum, "none"), (gpt2, "tanh"), (tanhMulChain, "tanh")])
    func fuses(_ source: String, _ approximate: String) throws {
        let out = try FusionGolden.run(FuseGelu(), on: source)
        #expect(out.changed)
        #expect(out.fusions == [approximate == "tanh" ? "gelu-tanh" : "gelu-erf": 1])
        FusionGolden.expectText(out.text, Self.fused(approximate))
    }

    /// A constant off by more than 1e-3 relative (Div by 1.5) is another function: unchanged.
    @Test func wrongConstantIsNotGelu() throws {
        let source = Self.bert.replacingOccurrences(of: "float s = {1.4142135}", with: "float s = {1.5}")
        let out = try FusionGolden.run(FuseGelu(), on: source)
        #expect(!out.changed)
        #expect(out.text == (try FusionGolden.normalized(source)))
    }

    /// erf(x/√2) also exported: declined with a reason, graph unchanged.
    @Test func exportedIntermediateIsDeclined() throws {
        let source = Self.bert.replacingOccurrences(of: "=> (float[2,8] y)", with: "=> (float[2,8] y, float[2,8] e)")
        let out = try FusionGolden.run(FuseGelu(), on: source)
        #expect(!out.changed)
        #expect(out.declined.count == 1)
        #expect(out.declined.first?.contains("gelu-erf") == true)
    }
}
