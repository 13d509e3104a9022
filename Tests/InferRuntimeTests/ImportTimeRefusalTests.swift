import InferIR
import Testing
@testable import InferRuntime

/// Attributes that the lowering used to check only when the node ran are now checked by the
/// schema's resolvers, so a bad model is refused when the engine is made (at every level),
/// with one error naming the node, and never reaches a kernel.
@Suite struct ImportTimeRefusalTests {
    static func model(opset: Int, _ signature: String, _ body: String) -> String {
        "<\n ir_version: 9,\n opset_import: [\"\" : \(opset)]\n>\ng \(signature) {\n  \(body)\n}\n"
    }

    static let cases: [(name: String, text: String, mentions: String)] = [
        ("gelu approximate", model(opset: 20, "(float[4] x) => (float[4] y)", "y = Gelu <approximate: string = \"fast\"> (x)"), "approximate"),
        ("scatter elements axis", model(opset: 18, "(float[2,3] x, int64[2,3] i, float[2,3] u) => (float[2,3] y)",
                                        "y = ScatterElements <axis: int = 5> (x, i, u)"), "axis"),
        ("reverse sequence axes", model(opset: 13, "(float[4,2,3] x, int64[2] l) => (float[4,2,3] y)",
                                        "y = ReverseSequence <batch_axis: int = 0, time_axis: int = 0> (x, l)"), "axis"),
    ]

    @Test(arguments: 0..<cases.count, [OptimizationLevel.none, .full])
    func refusedWhenTheEngineIsMade(index: Int, level: OptimizationLevel) throws {
        let c = Self.cases[index]
        let parsed = try ONNXTextParser.parseModel(c.text)
        do {
            _ = try Engine(model: parsed, optimization: level)
            Issue.record("\(c.name): the engine was made")
        } catch let error as InferError {
            #expect(error.node == "n0" || error.node == "y", "\(c.name): \(error.message)")
            #expect(error.message.contains(c.mentions), "\(c.name): \(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }
}
