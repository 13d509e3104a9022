import Foundation
import InferIR
@testable import InferRuntime

/// The end-to-end test models in `Graphs/models/` and seeded inputs for them.
enum ModelFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let names = ["mlp", "convnet", "encoder", "decoder"]

    static func url(_ name: String) -> URL { root.appendingPathComponent("Graphs/models/\(name)/model.onnx") }

    /// The inputs of the model's `test_data_set_0`, by name.
    static func testInputs(_ name: String) throws -> [String: Tensor] {
        let dir = root.appendingPathComponent("Graphs/models/\(name)/test_data_set_0")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("input_") }
        var feeds: [String: Tensor] = [:]
        for file in files {
            let (name, tensor) = try TensorProtoFile.readNamed(dir.appendingPathComponent(file))
            feeds[name] = tensor
        }
        return feeds
    }

    /// Encoder inputs for `batch` sequences of 16 tokens, from a seed: token ids in the
    /// vocabulary (100), a mask with a seeded number of trailing padding positions.
    static func encoderInputs(batch: Int, seed: UInt64) -> [String: Tensor] {
        var rng = SplitMix64(seed: seed)
        let ids = (0..<(batch * 16)).map { _ in Int64(rng.next() % 100) }
        var mask: [Int64] = []
        for _ in 0..<batch {
            let padding = Int(rng.next() % 6)
            mask += (0..<16).map { $0 < 16 - padding ? 1 : 0 }
        }
        return ["input_ids": Tensor(shape: [batch, 16], exactly: ids),
                "attention_mask": Tensor(shape: [batch, 16], exactly: mask)]
    }
}
