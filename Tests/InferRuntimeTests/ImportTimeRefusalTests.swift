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

    /// Found by the text fuzzer: `"", Y = Attention(...)` leaves the required output 0 unnamed
    /// (and makes Y the present key). Running it used to trap on a precondition; it must be a
    /// one-line error naming the output.
    @Test func attentionWithItsRequiredOutputUnnamedIsRefused() throws {
        let text = Self.model(opset: 23, "(float[2,3,4,8] q, float[2,3,6,8] k, float[2,3,6,8] v) => (float[2,3,6,8] y)",
                              "\"\", y = Attention (q, k, v)")
        let engine = try Engine(model: try ONNXTextParser.parseModel(text), optimization: .none)
        let feeds = try ["q": Tensor.zeros(.float32, shape: [2, 3, 4, 8]), "k": Tensor.zeros(.float32, shape: [2, 3, 6, 8]),
                         "v": Tensor.zeros(.float32, shape: [2, 3, 6, 8])]
        do {
            _ = try engine.run(feeds)
            Issue.record("the unnamed required output was accepted")
        } catch {
            #expect("\(error)".contains("output 0 (Y) is required"), "\(error)")
        }
    }
}
