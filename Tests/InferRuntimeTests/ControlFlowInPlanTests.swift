import Foundation
import InferIR
import Testing
@testable import InferRuntime

/// A control-flow node with static output shapes is one step of a static plan
/// (`NestedProgramStep`): the model keeps its plan for every other node, computes what `-O0`
/// computes, and a branch that produces another shape than its declared one still gets the
/// right answer.
@Suite struct ControlFlowInPlanTests {
    static func header(_ inputs: String, _ outputs: String) -> String {
        "<\n ir_version: 8,\n opset_import: [\"\" : 13]\n>\ng (\(inputs)) => (\(outputs))\n"
    }

    // Relu before and after, so the If sits between planned steps; the branches read `h`
    // (an arena value of the enclosing plan) and `x` (a graph input).
    static let staticIf = header("bool c, float[2,3] x", "float[2,3] y") + """
    {
       h = Relu (x)
       t = If (c) <then_branch: graph = th () => (float[2,3] a) {
          a = Add (h, x)
       }, else_branch: graph = el () => (float[2,3] b) {
          b = Mul (h, x)
       }>
       y = Neg (t)
    }
    """

    static let x = Tensor(shape: [2, 3], exactly: [1, -2, 3, -4, 5, 0.5] as [Float])

    @Test(arguments: [true, false])
    func ifKeepsTheStaticPlan(cond: Bool) throws {
        let model = try ONNXTextParser.parseModel(Self.staticIf)
        let feeds = ["c": Tensor(scalar: cond), "x": Self.x]
        let planned = try Engine(model: model, optimization: .full)
        let plan = try planned.plan(for: feeds)
        #expect(plan.steps.map(\.node.opType) == ["Relu", "If", "Neg"])
        #expect(plan.dynamicStepCount == 0, "a static If keeps every step prepared")
        let xs = try Self.x.scalars(as: Float.self)
        let want = xs.map { v in -(cond ? max(v, 0) + v : max(v, 0) * v) }
        let got = try #require(try planned.run(feeds)["y"]).scalars(as: Float.self)
        #expect(got == want)
        let reference = try Engine(model: model, optimization: .none).run(feeds)["y"]
        #expect(try #require(reference).scalars(as: Float.self) == got)
        // Twice more on the same session: the nested step leaves nothing behind between runs.
        for _ in 0..<2 { #expect(try #require(try planned.run(feeds)["y"]).scalars(as: Float.self) == want) }
    }

    // The else branch declares float[2,3] but computes float[2,6]: a plan sized from the
    // declaration would be too small. The run must still return the right [2,6].
    static let lyingBranch = header("bool c, float[2,3] x", "float[2,?] y") + """
    {
       h = Relu (x)
       t = If (c) <then_branch: graph = th () => (float[2,3] a) {
          a = Identity (h)
       }, else_branch: graph = el () => (float[2,3] b) {
          b = Concat <axis: int = 1> (h, x)
       }>
       y = Neg (t)
    }
    """

    @Test func aBranchThatBreaksItsDeclaredShapeStillGetsTheRightAnswer() throws {
        let model = try ONNXTextParser.parseModel(Self.lyingBranch)
        let feeds = ["c": Tensor(scalar: false), "x": Self.x]
        let reference = try #require(try Engine(model: model, optimization: .none).run(feeds)["y"])
        #expect(reference.shape == [2, 6])
        let planned = try Engine(model: model, optimization: .full)
        // Shape inference looks through the branch (Concat: [2,6]), merges it with the other
        // ([2,3]) into [2,?] rather than trust the declaration: the If and the Neg after it size
        // their outputs at run time; the Relu before them stays planned.
        let plan = try planned.plan(for: feeds)
        #expect(plan.steps.map(\.node.opType) == ["Relu", "If", "Neg"])
        #expect(plan.steps.map(\.isPrepared) == [true, false, false])
        for _ in 0..<2 {
            let y = try #require(try planned.run(feeds)["y"])
            #expect(y.shape == [2, 6])
            #expect(try y.scalars(as: Float.self) == reference.scalars(as: Float.self))
        }
    }
}
