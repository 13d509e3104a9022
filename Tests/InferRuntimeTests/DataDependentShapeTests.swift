import Foundation
import InferIR
import Testing
@testable import InferRuntime

/// One value whose shape depends on data (NonZero's count) does not take planning away from the
/// rest of the model: the steps that read it size their outputs at run time, every other step
/// stays prepared over the arena, and a run-time-sized result with a planned shape (a scalar
/// sum) is copied into its slot for the prepared step after it.
@Suite struct DataDependentShapeTests {
    static let model = """
    <
     ir_version: 8,
     opset_import: ["" : 13]
    >
    g (float[6] x) => (float[6] w) {
       h = Relu (x)
       idx = NonZero (h)
       c = Cast <to: int = 1> (idx)
       z = ReduceSum <keepdims: int = 0> (c)
       w = Mul (z, h)
    }
    """

    @Test(arguments: [[1, -2, 3, -4, 5, 0.5], [0, 0, 7, 0, 0, 0], [-1, -1, -1, -1, -1, -1]] as [[Float]])
    func onlyTheStepsReadingTheDataDependentValueAreSizedAtRunTime(xs: [Float]) throws {
        let parsed = try ONNXTextParser.parseModel(Self.model)
        let feeds = ["x": try Tensor(shape: [6], scalars: xs)]
        let engine = try Engine(model: parsed, optimization: .full)
        let plan = try engine.plan(for: feeds)
        #expect(plan.steps.map(\.node.opType) == ["Relu", "NonZero", "Cast", "ReduceSum", "Mul"])
        #expect(plan.steps.map(\.isPrepared) == [true, false, false, false, true])
        #expect(plan.dynamicReason?.contains("idx") == true, "\(plan.dynamicReason ?? "nil")")
        // By hand: the indices of the positive elements, summed, times relu(x).
        let h = xs.map { max($0, 0) }
        let sum = Float(h.indices.filter { h[$0] != 0 }.reduce(0, +))
        let want = h.map { sum * $0 }
        for _ in 0..<3 {   // the same session again: registers and arena hold nothing stale
            let got = try #require(try engine.run(feeds)["w"]).scalars(as: Float.self)
            #expect(got == want)
        }
        let reference = try #require(try Engine(model: parsed, optimization: .none).run(feeds)["w"])
        #expect(try reference.scalars(as: Float.self) == want)
    }
}
