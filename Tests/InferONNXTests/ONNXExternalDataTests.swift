import Foundation
import InferIR
import InferONNX
import Testing

/// External data (`data_location == EXTERNAL`) resolves inside the model's folder only.
@Suite struct ONNXExternalDataTests {
    @Test(arguments: ["external/valid.onnx", "external/valid_no_length.onnx"])
    func validExternalData(file: String) throws {
        let model = try Fixtures.model(file)
        let w = try #require(model.graph.initializers["w"])
        #expect(w.shape == [2, 3])
        #expect(try w.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])
    }

    @Test(arguments: [
        ("external/escape.onnx", ["\"w\"", "../outside.bin", ".."]),
        ("external/escape_nested.onnx", ["\"w\"", "sub/../../outside.bin"]),
        ("external/absolute.onnx", ["\"w\"", "/etc/hostname", "absolute"]),
        ("external/symlink.onnx", ["\"w\"", "link.bin", "outside the model's folder"]),
        ("external/offset_beyond.onnx", ["\"w\"", "weights.bin", "beyond the end"]),
        ("external/length_beyond.onnx", ["\"w\"", "weights.bin", "beyond the end"]),
        ("external/missing.onnx", ["\"w\"", "missing.bin", "does not exist"]),
    ])
    func refusedLocations(file: String, fragments: [String]) {
        expectInferError(.io, containing: fragments) { try Fixtures.model(file) }
    }

    @Test func externalDataNeedsABaseDirectory() throws {
        let data = try Fixtures.data("external/valid.onnx")
        expectInferError(.io, containing: ["\"w\"", "external data"]) {
            try ONNXImporter.importModel(data: data, baseDirectory: nil)
        }
    }
}
