import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// -O1 (canonicalization) against -O0 on seeded random inputs: same outputs, fewer nodes.
@Suite struct CanonicalizationDifferentialTests {
    /// A PyTorch-export-style graph: a shape subgraph feeding Reshape, an Identity, an inference
    /// Dropout, a no-op Cast, a duplicated subexpression, dead nodes and a constant subgraph.
    static let text = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    g (float[2,4,6] x) => (float[2,24] y)
       <int64[1] zero = {0}, int64[1] minus1 = {-1}, float[2] k = {2, 3}, float[2] one = {1, 1}>
    {
       s = Shape (x)
       n = Gather <axis: int = 0> (s, zero)
       shape = Concat <axis: int = 0> (n, minus1)
       scale = Mul (k, one)
       sum = ReduceSum <keepdims: int = 0> (scale)
       a = Identity (x)
       b = Dropout (a)
       c = Cast <to: int = 1> (b)
       e1 = Exp (c)
       e2 = Exp (c)
       t = Add (e1, e2)
       u = Mul (t, sum)
       dead = Neg (u)
       y = Reshape (u, shape)
    }
    """

    @Test func canonicalizationPreservesOutputsAndDropsNodes() throws {
        let model = try ONNXTextParser.parseModel(Self.text)
        let reference = try Engine(model: model, optimization: .none)
        let canonical = try Engine(model: model, optimization: .canonicalize)
        #expect(canonical.model.graph.nodes.count < model.graph.nodes.count)
        let ops = Set(canonical.model.graph.nodes.map(\.opType))
        #expect(ops.isDisjoint(with: ["Identity", "Dropout", "Cast", "Neg", "Gather", "Concat", "ReduceSum"]), "\(ops)")
        #expect(canonical.model.graph.nodes.filter { $0.opType == "Exp" }.count == 1)
        var state: UInt64 = 0x5EED
        for n in [2, 2] {
            let values = (0..<(n * 24)).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(state >> 40) / Float(1 << 24) * 2 - 1
            }
            let x = try Tensor(shape: [n, 4, 6], scalars: values)
            let a = try reference.run(["x": x])["y"]!
            let b = try canonical.run(["x": x])["y"]!
            #expect(a.shape == [n, 24])
            #expect(ConcurrencyTests.agree(["y": a], ["y": b]))
        }
    }
}
