import Foundation
import InferIR
import InferONNX
import Testing

/// `import(export(m)) == m` for models built in Swift and for every fixture.
@Suite struct ONNXRoundTripTests {
    static func roundTrip(_ model: Model) throws -> Model {
        try ONNXImporter.importModel(data: ONNXExporter.exportModel(model), baseDirectory: nil)
    }

    @Test func builtModelRoundTrips() throws {
        let body = Graph(name: "body", inputs: [ValueInfo(name: "i", type: ValueType(dtype: .int64, dims: []))],
                         outputs: [ValueInfo(name: "o", type: ValueType(dtype: .bool, shape: nil))],
                         nodes: [Node(opType: "Identity", inputs: ["i"], outputs: ["o"])])
        let attributes: [String: Attribute] = [
            "f": .float(-1.25), "i": .int(Int(Int64.max)), "s": .string("naïve ✓"),
            "t": .tensor(try Tensor(shape: [2], scalars: [true, false])), "g": .graph(body),
            "fs": .floats([]), "is": .ints([-1, 0, 1]), "ss": .strings(["", "x"]),
            "ts": .tensors([try Tensor(shape: [1, 2], scalars: [UInt8(3), 250]), try Tensor(shape: [0], scalars: [Double]())]),
            "gs": .graphs([body, Graph(name: "empty")]),
            "tp": .type(ValueType(dtype: .int8, shape: [.unknown, .symbol("B")])), "tps": .types([]),
        ]
        let graph = Graph(
            name: "g",
            inputs: [ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(1 << 40), .unknown])),
                     ValueInfo(name: "w", type: ValueType(dtype: .float64, dims: [2]))],
            outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: nil))],
            initializers: ["w": try Tensor(shape: [2], scalars: [1.0, -2.0]),
                           "k": try Tensor(shape: [2, 2], scalars: [Int32(1), -2, 3, Int32.min]),
                           "s": Tensor(scalar: Int8(-3))],
            nodes: [Node(name: "n1", opType: "Custom", domain: "my.domain", inputs: ["x", "", "w"], outputs: ["y"],
                         attributes: attributes)],
            valueInfo: ["t": ValueType(dtype: .int64, dims: [0])])
        let model = Model(irVersion: 9, opsetImports: ["": 21, "my.domain": 3], producerName: "p",
                          producerVersion: "1.0", graph: graph)
        #expect(try Self.roundTrip(model) == model)
    }

    @Test(arguments: ["initializers_typed.onnx", "initializers_raw.onnx", "attributes.onnx", "symbolic_dims.onnx",
                      "external/valid.onnx"])
    func fixturesRoundTrip(file: String) throws {
        let model = try Fixtures.model(file)
        #expect(try Self.roundTrip(model) == model)
    }

    @Test(arguments: DType.allCases)
    func tensorRoundTrips(dtype: DType) throws {
        let t = Tensor(zeros: dtype, shape: [2, 3])
        let p = t.mutableRawPointer.assumingMemoryBound(to: UInt8.self)
        for i in 0..<t.byteCount { p[i] = UInt8(truncatingIfNeeded: i * 37 + 1) & (dtype == .bool ? 1 : 0xFF) }
        let back = try ONNXImporter.importTensor(data: ONNXExporter.exportTensor(t, name: "t"))
        #expect(back == t)
    }

    @Test func exportMatchesPythonOnnx() throws {
        // The exported tensor decodes as the same TensorProto fixture (written by numpy_helper).
        let t = try ONNXImporter.importTensor(data: Fixtures.data("tensor_float.pb"))
        #expect(try ONNXExporter.exportTensor(t, name: "input_0") == Fixtures.data("tensor_float.pb"))
    }
}
