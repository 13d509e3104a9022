import Foundation
import InferIR
import InferRuntime
import Testing

/// Real models (made by Tools/make_models.py, outputs from ONNX Runtime) and the hand-written
/// graphs in Graphs/*.onnxtxt (outputs from ONNX Runtime via Tools/text_graph_refs.py), run
/// through the CLI exactly as a user would, compared with rtol 1e-3.
@Suite struct ModelTests {
    static let testModels = ["mlp", "convnet", "encoder", "decoder"]
    static let textGraphs: [String] = {
        let dir = CLI.path("Graphs")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".onnxtxt") }.map { String($0.dropLast(8)) }.sorted()
    }()

    @Test(arguments: testModels)
    func checkPasses(model: String) throws {
        let r = try CLI.run(["check", CLI.path("Graphs/models/\(model)")])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("PASS test_data_set_0"))
    }

    @Test(arguments: testModels)
    func runMatchesONNXRuntime(model: String) throws {
        let dir = CLI.path("Graphs/models/\(model)")
        try runAndCompare(model: "\(dir)/model.onnx", dataSet: "\(dir)/test_data_set_0")
    }

    @Test(arguments: textGraphs)
    func textGraphMatchesONNXRuntime(graph: String) throws {
        try runAndCompare(model: CLI.path("Graphs/\(graph).onnxtxt"),
                          dataSet: CLI.path("Graphs/expected/\(graph)/test_data_set_0"))
    }

    @Test func atLeastThreeTextGraphs() {
        #expect(Self.textGraphs.count >= 3)
    }

    /// `run` with the data set's inputs, then every written .npy against the expected .pb.
    func runAndCompare(model: String, dataSet: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: dataSet).sorted()
        var arguments = ["run", model]
        for file in files where file.hasPrefix("input_") {
            let (name, _) = try TensorProtoFile.readNamed(URL(fileURLWithPath: "\(dataSet)/\(file)"))
            arguments += ["--input", "\(name)=\(dataSet)/\(file)"]
        }
        let out = try CLI.temporaryDirectory()
        arguments += ["--output-dir", out.path]
        let r = try CLI.run(arguments)
        try #require(r.status == 0, "\(r.stderr)")
        var compared = 0
        for file in files where file.hasPrefix("output_") {
            let (name, expected) = try TensorProtoFile.readNamed(URL(fileURLWithPath: "\(dataSet)/\(file)"))
            let written = out.appendingPathComponent(name.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" } + ".npy")
            let actual = try NPYFormat.read(written)
            #expect(actual.shape == expected.shape, "\(name)")
            #expect(actual.dtype == expected.dtype, "\(name)")
            let a = actual.doubleValues(), e = expected.doubleValues()
            // numpy.allclose(a, e, rtol=1e-3, atol=1e-5)
            let bad = zip(a, e).filter { x, y in !(x.isNaN && y.isNaN) && !(abs(x - y) <= 1e-5 + 1e-3 * abs(y)) }
            #expect(bad.isEmpty, "\(model) output \(name): \(bad.count) of \(a.count) values outside rtol 1e-3, e.g. \(bad.prefix(3))")
            compared += 1
        }
        #expect(compared > 0)
    }
}
