import Foundation
import InferIR
@testable import InferONNX
import Testing

/// No bytes, however malformed, may crash the importer: each gets an InferError.
@Suite struct ONNXRobustnessTests {
    static let files = ["initializers_raw.onnx", "initializers_typed.onnx", "attributes.onnx", "symbolic_dims.onnx"]

    @Test(arguments: files)
    func everyTruncationThrows(file: String) throws {
        let data = try Fixtures.data(file)
        // Each fixture's last field is its only opset_import, so every strict prefix is invalid.
        for cut in 0..<data.count {
            expectInferError(.parse) { try ONNXImporter.importModel(data: data.prefix(cut), baseDirectory: nil) }
        }
    }

    @Test func randomBytesThrowParseErrors() {
        var rng = SplitMix64(seed: 0x5EED)
        for length in [1, 2, 3, 7, 16, 64, 100, 1000, 4096] {
            for _ in 0..<20 {
                let bytes = Data((0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
                expectInferError(.parse) { try ONNXImporter.importModel(data: bytes, baseDirectory: nil) }
            }
        }
    }

    @Test func corruptedBytesNeverCrash() throws {
        // Flipping bytes may still decode (into a different model): any result but a crash is fine.
        let data = try Fixtures.data("attributes.onnx")
        var rng = SplitMix64(seed: 42)
        for _ in 0..<500 {
            var corrupted = data
            for _ in 0..<3 { corrupted[Int(rng.next() % UInt64(data.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            do { _ = try ONNXImporter.importModel(data: corrupted, baseDirectory: nil) } catch is InferError {}
        }
    }

    @Test func randomTensorBytesThrow() {
        var rng = SplitMix64(seed: 7)
        for length in [3, 10, 50, 200] {
            for _ in 0..<20 {
                let bytes = Data((0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
                do { _ = try ONNXImporter.importTensor(data: bytes) } catch is InferError {} catch {
                    Issue.record("not an InferError: \(error)")
                }
            }
        }
    }

    @Test func absurdTensorDimsAreRefusedBeforeAllocating() throws {
        // Overflowing or negative dims are invalid shapes; representable ones over the tensor limit hit the limit.
        for (dims, kind): ([Int64], InferError.Kind) in [([1 << 40, 1 << 40], .invalidShape), ([Int64.max, 2], .invalidShape),
                                                         ([-1, 4], .invalidShape), ([1 << 33, 1 << 2], .resourceLimit)] {
            var t = Onnx_TensorProto()
            t.name = "big"
            t.dataType = 1
            t.dims = dims
            t.rawData = Data([0, 0, 0, 0])
            let data: Data = try t.serializedBytes()
            expectInferError(kind, containing: ["big"]) { try ONNXImporter.importTensor(data: data) }
        }
    }

    @Test func rawDataLengthMustMatch() throws {
        var t = Onnx_TensorProto()
        t.name = "short"
        t.dataType = 1
        t.dims = [2, 2]
        t.rawData = Data(count: 12)
        expectInferError(.invalidModel, containing: ["short", "12 bytes"]) {
            try ONNXImporter.importTensor(data: t.serializedBytes())
        }
        t.rawData = Data()
        t.clearRawData()
        t.floatData = [1, 2, 3]
        expectInferError(.invalidModel, containing: ["short", "float_data"]) {
            try ONNXImporter.importTensor(data: t.serializedBytes())
        }
    }

    @Test(arguments: [8, 10, 16, 4, 0])
    func unsupportedTensorDTypes(code: Int32) throws {
        var t = Onnx_TensorProto()
        t.name = "odd"
        t.dataType = code
        t.dims = [1]
        let name = DType.onnxTypeName(code: Int(code))
        expectInferError(.unsupportedDType, containing: ["odd", name]) {
            try ONNXImporter.importTensor(data: t.serializedBytes())
        }
    }

    @Test func unsupportedInputTypes() throws {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        var input = Onnx_ValueInfoProto()
        input.name = "seq"
        input.type.sequenceType = Onnx_TypeProto.Sequence()
        model.graph.input = [input]
        expectInferError(.unsupportedFeature, containing: ["seq", "sequence"]) {
            try ONNXImporter.importModel(data: model.serializedBytes(), baseDirectory: nil)
        }
        input.type.tensorType.elemType = 16
        model.graph.input = [input]
        expectInferError(.unsupportedDType, containing: ["seq", "bfloat16"]) {
            try ONNXImporter.importModel(data: model.serializedBytes(), baseDirectory: nil)
        }
        model.graph.input = []
        model.opsetImport = []
        expectInferError(.parse, containing: ["opset_import"]) {
            try ONNXImporter.importModel(data: model.serializedBytes(), baseDirectory: nil)
        }
    }

    @Test func deeplyNestedSubgraphsThrow() throws {
        // A graph attribute inside a graph attribute ... 200 levels deep.
        var graph = Onnx_GraphProto()
        for _ in 0..<200 {
            var attribute = Onnx_AttributeProto()
            attribute.name = "body"
            attribute.type = .graph
            attribute.g = graph
            var node = Onnx_NodeProto()
            node.opType = "Loop"
            node.attribute = [attribute]
            graph = Onnx_GraphProto()
            graph.node = [node]
        }
        var model = Onnx_ModelProto()
        model.graph = graph
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        expectInferError(.parse) { try ONNXImporter.importModel(data: model.serializedBytes(), baseDirectory: nil) }
    }
}
