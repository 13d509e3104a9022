import Foundation
import Testing
@testable import InferIR

/// The example graphs in `Graphs/*.onnxtxt` parse, use only opset-17 ONNX ops, and round-trip.
///
/// With the environment variable `TEXT_IR_PRINT_DIR` set, the printed form of every example graph
/// (and of the hand-built kitchen-sink model) is written there, for
/// `python3 Tools/text_graph_refs.py --check-printed DIR` to confirm that `onnx.parser` accepts
/// our printer's output and that ONNX Runtime gives bit-identical results for it.
@Suite struct TextGraphFilesTests {
    static let graphsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Graphs")

    static var graphFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: graphsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".onnxtxt") }.sorted()
    }

    static let foundationOps: Set<String> = [
        "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Neg", "Reciprocal", "Abs", "Tanh", "Sigmoid", "Relu",
        "LeakyRelu", "Erf", "Clip", "Where", "Equal", "Less", "Greater", "Not", "Cast", "MatMul", "Gemm", "Conv", "MaxPool",
        "AveragePool", "GlobalAveragePool", "BatchNormalization", "LayerNormalization", "LRN", "Softmax", "LogSoftmax",
        "Dropout", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "Expand",
        "Shape", "ConstantOfShape", "Constant", "Identity", "Range", "ReduceMean", "ReduceSum", "Sum", "Trilu",
    ]

    @Test func thereAreAtLeastThreeExampleGraphs() {
        #expect(Self.graphFiles.count >= 3)
        #expect(Set(Self.graphFiles).isSuperset(of: ["mlp.onnxtxt", "conv_block.onnxtxt", "attention.onnxtxt"]))
    }

    @Test(arguments: graphFiles)
    func exampleGraphParsesAndRoundTrips(file: String) throws {
        let text = try String(contentsOf: Self.graphsDirectory.appendingPathComponent(file), encoding: .utf8)
        let model = try ONNXTextParser.parseModel(text)
        #expect(model.opsetImports == ["": 17])
        #expect(!model.graph.nodes.isEmpty && !model.graph.initializers.isEmpty)
        for node in model.graph.nodes {
            #expect(node.domain.isEmpty && Self.foundationOps.contains(node.opType), "\(node.qualifiedOpType) in \(file)")
        }
        let printed = ONNXTextPrinter.print(model)
        #expect(try ONNXTextParser.parseModel(printed) == model)

        if let directory = ProcessInfo.processInfo.environment["TEXT_IR_PRINT_DIR"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try printed.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
        }
    }

    @Test func kitchenSinkIsWrittenForTheONNXParserCheck() throws {
        guard let directory = ProcessInfo.processInfo.environment["TEXT_IR_PRINT_DIR"] else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Without the tensors/graphs/type_protos lists (onnx.parser drops list items of those kinds)
        // and the quoted subgraph names it does not accept, everything else must parse in ONNX.
        var model = TextTestModels.kitchenSink
        model.graph.nodes[0].attributes = model.graph.nodes[0].attributes.filter {
            !["ts", "gs", "tps"].contains($0.key)
        }
        try ONNXTextPrinter.print(model).write(toFile: directory + "/kitchen_sink.onnxtxt", atomically: true, encoding: .utf8)
    }
}
