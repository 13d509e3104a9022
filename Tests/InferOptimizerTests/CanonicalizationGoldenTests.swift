import InferIR
import Testing
@testable import InferOptimizer

/// Golden before/after texts for the canonicalization passes. Each expected text was written
/// by hand from the pass's rule and then compared with the printer's output.
@Suite struct CanonicalizationGoldenTests {
    static func model(_ signature: String, _ body: String) -> String {
        "<\n   ir_version: 8,\n   opset_import: [\"\" : 17]\n>\n\(signature)\n{\n\(body)\n}\n"
    }

    func expectGolden(_ pass: any Pass, _ before: String, _ after: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try LinearFusionGolden.run(pass, on: before)
        #expect(result.changed, sourceLocation: sourceLocation)
        let want = try ONNXTextPrinter.print(ONNXTextParser.parseModel(after))
        #expect(result.text == want, "got:\n\(result.text)\nwant:\n\(want)", sourceLocation: sourceLocation)
    }

    /// Nodes nobody reads go, chains of them in one sweep; so do unread initializers.
    @Test func eliminateDeadCode() throws {
        try expectGolden(EliminateDeadCode(), Self.model("g (float[2] x) => (float[2] y) <float[2] unused = {1, 2}>", """
           dead = Neg (x)
           dead2 = Relu (dead)
           y = Abs (x)
        """), Self.model("g (float[2] x) => (float[2] y)", "   y = Abs (x)"))
    }

    /// Identity, inference Dropout, Cast to the same dtype and a Reshape to the same shape pass
    /// their input through: readers read the input instead.
    @Test func removeIdentities() throws {
        try expectGolden(RemoveIdentities(), Self.model("g (float[2,3] x) => (float[2,3] y) <int64[2] s = {2, 3}>", """
           a = Identity (x)
           b = Dropout (a)
           c = Cast <to: int = 1> (b)
           d = Reshape (c, s)
           y = Relu (d)
        """), Self.model("g (float[2,3] x) => (float[2,3] y) <int64[2] s = {2, 3}>", "   y = Relu (x)"))
    }

    /// An exported value produced by an Identity: the producer is renamed to the output instead.
    @Test func removeIdentityBeforeGraphOutput() throws {
        try expectGolden(RemoveIdentities(), Self.model("g (float[2] x) => (float[2] y)", """
           a = Relu (x)
           y = Identity (a)
        """), Self.model("g (float[2] x) => (float[2] y)", "   y = Relu (x)"))
    }

    /// Shape of a statically shaped value is a constant: shape subgraphs fold.
    @Test func foldShapeOfStaticValue() throws {
        try expectGolden(FoldConstants(), Self.model("g (float[2,3] x) => (float[3,2] y) <int64[2] perm = {3, 2}>", """
           s = Shape (x)
           t = Shape <start: int = 1> (x)
           y = Reshape (x, perm)
           z = Add (s, t)
        """), Self.model("g (float[2,3] x) => (float[3,2] y) <int64[2] perm = {3, 2}, int64[2] s = {2, 3}, int64[1] t = {3}>", """
           y = Reshape (x, perm)
           z = Add (s, t)
        """))
    }

    /// Two nodes with the same op, inputs and attributes compute the same value; equal small
    /// initializers merge likewise.
    @Test func eliminateCommonSubexpressions() throws {
        try expectGolden(EliminateCommonSubexpressions(), Self.model("g (float[2] x) => (float[2] y) <float[2] c1 = {1, 2}, float[2] c2 = {1, 2}>", """
           a = Exp (x)
           b = Exp (x)
           p = Add (a, c1)
           q = Add (b, c2)
           y = Mul (p, q)
        """), Self.model("g (float[2] x) => (float[2] y) <float[2] c1 = {1, 2}>", """
           a = Exp (x)
           p = Add (a, c1)
           y = Mul (p, p)
        """))
    }

    /// Different attributes are different computations: nothing merges.
    @Test func commonSubexpressionsRespectAttributes() throws {
        let text = Self.model("g (float[2] x) => (float[2] y)", """
           a = LeakyRelu <alpha: float = 0.1> (x)
           b = LeakyRelu <alpha: float = 0.2> (x)
           y = Add (a, b)
        """)
        let result = try LinearFusionGolden.run(EliminateCommonSubexpressions(), on: text)
        #expect(!result.changed)
    }
}
