import Foundation
import Testing
@testable import InferServe
@testable import InferServeProtocol

/// Model names from paths and NAME=PATH, and Triton's repository layout.
@Suite struct ModelSourceTests {
    @Test(arguments: [
        ("models/mlp.onnx", "mlp"),
        ("models/resnet/model.onnx", "resnet"),
        ("/srv/bert/model.plan", "bert"),
        ("classifier=models/resnet/model.onnx", "classifier"),
        ("a.b.onnxtxt", "a.b"),
    ])
    func namesComeFromTheFileOrTheAssignment(argument: String, name: String) throws {
        #expect(try ModelSource.parse(argument).name == name)
        #expect(try ModelSource.parse(argument).version == "1")
    }

    @Test(arguments: ["bad name=x.onnx", "=x.onnx", "x=", "a%2F=x.onnx"])
    func unusableNamesAreRefused(argument: String) {
        #expect(throws: ServeError.self) { try ModelSource.parse(argument) }
    }

    @Test func repositoryServesEachModelsHighestVersionWithItsConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("repo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        for version in ["1", "3", "20", "notes"] {
            try fm.createDirectory(at: dir.appendingPathComponent("mlp/\(version)"), withIntermediateDirectories: true)
        }
        for version in ["1", "3", "20"] {
            try Data().write(to: dir.appendingPathComponent("mlp/\(version)/model.onnx"))
        }
        try "max_batch_size: 4\ndynamic_batching { }\n".write(to: dir.appendingPathComponent("mlp/config.pbtxt"), atomically: true, encoding: .utf8)
        try fm.createDirectory(at: dir.appendingPathComponent("other/2"), withIntermediateDirectories: true)
        try Data().write(to: dir.appendingPathComponent("other/2/model.plan"))
        let sources = try ModelSource.repository(dir)
        #expect(sources.map(\.name) == ["mlp", "other"])
        #expect(sources.map(\.version) == ["20", "2"])
        #expect(sources[0].file.lastPathComponent == "model.onnx" && sources[0].file.path.contains("/20/"))
        #expect(sources[0].config.maxBatchSize == 4 && sources[0].config.dynamicBatching)
        #expect(sources[1].config == TritonModelConfig())
    }

    @Test func repositoryWithoutAModelFileSaysWhichFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("repo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("mlp/1"), withIntermediateDirectories: true)
        #expect {
            _ = try ModelSource.repository(dir)
        } throws: { error in
            (error as? ServeError)?.message.contains("mlp/1 holds no model.plan, model.onnx or model.onnxtxt") == true
        }
        #expect(throws: ServeError.self) { try ModelSource.repository(dir.appendingPathComponent("absent")) }
    }
}
