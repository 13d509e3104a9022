import Foundation
import Testing

/// Models exported by PyTorch itself (Tools/export_attention_models.py: a GPT-2-style decoder with
/// masked_fill causal attention, Hugging Face BERT with its padding mask, Hugging Face T5 with its
/// relative-position bias), run through the CLI as a user would: at -O2 every attention layer is
/// exactly one swiftinfer.Attention (no Softmax left), and the outputs match ONNX Runtime's, at
/// -O2 and at -O0.
@Suite struct AttentionModelTests {
    static let models = ["gpt_masked_fill", "bert_padding", "t5_relative"]

    @Test(arguments: models)
    func oneFusedAttentionPerLayer(model: String) throws {
        let dir = CLI.path("Graphs/attention/\(model)")
        let layers = try #require(Int(String(contentsOfFile: "\(dir)/layers.txt", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let plan = try CLI.temporaryDirectory().appendingPathComponent("m.plan").path
        let r = try CLI.run(["compile", "\(dir)/model.onnx", "-o", plan, "--json"])
        try #require(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ops = try #require(object["ops_after"] as? [String: Int])
        #expect(ops["swiftinfer.Attention"] == layers, "\(ops)")
        #expect(ops["Softmax"] == nil, "\(ops)")
        let decisions = try #require(object["decisions"] as? [String])
        #expect(decisions.filter { $0.hasPrefix("fuse-attention:") && $0.contains("attention applied") }.count == layers)
    }

    @Test(arguments: models, ["-O2", "-O0"])
    func matchesONNXRuntime(model: String, level: String) throws {
        let r = try CLI.run(["check", CLI.path("Graphs/attention/\(model)"), level, "--atol", "1e-4"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("PASS test_data_set_0"))
    }
}
