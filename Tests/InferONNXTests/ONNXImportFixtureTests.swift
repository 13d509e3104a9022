import Foundation
import InferIR
import InferONNX
import Testing

/// Imports the fixtures of Tools/make_import_fixtures.py; expected values mirror that script.
@Suite struct ONNXImportFixtureTests {
    @Test(arguments: ["initializers_typed.onnx", "initializers_raw.onnx"])
    func initializersOfEveryDType(file: String) throws {
        let model = try Fixtures.model(file)
        #expect(model.irVersion == 8)
        #expect(model.opsetImports == ["": 17])
        #expect(model.producerName == "make_import_fixtures")
        let inits = model.graph.initializers
        #expect(try inits["f32"]?.scalars(as: Float.self) == [1.5, -2, 3.25, 0])
        #expect(try inits["f64"]?.scalars(as: Double.self) == [1.5, -2.25, 1e300, 0])
        #expect(try inits["i64"]?.scalars(as: Int64.self) == [.min, -1, 0, .max])
        #expect(try inits["i32"]?.scalars(as: Int32.self) == [.min, -1, 0, .max])
        #expect(try inits["i8"]?.scalars(as: Int8.self) == [-128, -1, 0, 127])
        #expect(try inits["u8"]?.scalars(as: UInt8.self) == [0, 1, 200, 255])
        #expect(try inits["b"]?.scalars(as: Bool.self) == [true, false, true, true])
        for name in ["f32", "f64", "i64", "i32", "i8", "u8", "b"] { #expect(inits[name]?.shape == [2, 2]) }
        #expect(inits["empty"]?.shape == [2, 0])
        // An input that is also an initializer stays an input, with the initializer as its default.
        #expect(model.graph.inputs == [ValueInfo(name: "bias", type: ValueType(dtype: .float32, dims: [3]))])
        #expect(try inits["bias"]?.scalars(as: Float.self) == [0.5, 0.25, 0.125])
        #expect(model.graph.nodes.count == 8)
        #expect(model.graph.nodes[0] == Node(name: "id_f32", opType: "Identity", inputs: ["f32"], outputs: ["f32_out"]))
        #expect(model.graph.outputs.first == ValueInfo(name: "f32_out", type: ValueType(dtype: .float32, dims: [2, 2])))
    }

    @Test func typedFieldsAndRawDataGiveTheSameModel() throws {
        let typed = try Fixtures.model("initializers_typed.onnx")
        let raw = try Fixtures.model("initializers_raw.onnx")
        #expect(typed == raw)
    }

    @Test func everyAttributeKind() throws {
        let model = try Fixtures.model("attributes.onnx")
        let node = try #require(model.graph.nodes.first { $0.name == "every_kind" })
        let a = node.attributes
        #expect(a.count == 12)
        #expect(a["f"] == .float(0.25))
        #expect(a["i"] == .int(-7))
        #expect(a["s"] == .string("hello"))
        #expect(try a["t"] == .tensor(Tensor(shape: [3], scalars: [Int64(1), 2, 3])))
        #expect(a["fs"] == .floats([1, -0.5]))
        #expect(a["is"] == .ints([4, -5, 6]))
        #expect(a["ss"] == .strings(["a", "bc"]))
        #expect(try a["ts"] == .tensors([Tensor(shape: [3], scalars: [Int64(1), 2, 3]), Tensor(scalar: Float(2.5))]))
        #expect(a["tp"] == .type(ValueType(dtype: .float32, shape: [.symbol("N"), .value(4), .unknown])))
        #expect(a["tps"] == .types([ValueType(dtype: .float32, shape: [.symbol("N"), .value(4), .unknown]),
                                    ValueType(dtype: .int32, shape: nil)]))
        guard case .graph(let g)? = a["g"] else { Issue.record("g is not a graph"); return }
        #expect(g == Self.branch("g", 1))
        guard case .graphs(let gs)? = a["gs"] else { Issue.record("gs is not graphs"); return }
        #expect(gs == [Self.branch("g0", 0), Self.branch("g1", 1)])

        // If bodies import recursively (execution rejects control flow later; import must not).
        let ifNode = try #require(model.graph.nodes.first { $0.opType == "If" })
        #expect(ifNode.attributes["then_branch"] == .graph(Self.branch("then", 1)))
        #expect(ifNode.attributes["else_branch"] == .graph(Self.branch("else", 0)))
        #expect(model.graph.outputs[1] == ValueInfo(name: "z", type: ValueType(dtype: .float32, shape: nil)))
    }

    /// What `branch(name, value)` in the fixture script builds.
    static func branch(_ name: String, _ value: Float) -> Graph {
        Graph(name: name, outputs: [ValueInfo(name: name + "_y", type: ValueType(dtype: .float32, dims: [1]))],
              nodes: [Node(opType: "Constant", inputs: [], outputs: [name + "_y"],
                           attributes: ["value": .tensor(Tensor(shape: [1], exactly: [value]))])])
    }

    @Test func symbolicAndHugeDims() throws {
        let model = try Fixtures.model("symbolic_dims.onnx")
        let declared: [Dim] = [.symbol("N"), .value(3), .unknown, .value(1_000_000_000_000)]
        #expect(model.graph.inputs == [ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: declared))])
        #expect(model.graph.outputs[0].type.shape == declared)
        #expect(model.graph.outputs[1].type == ValueType(dtype: .int64, shape: nil))
        #expect(model.graph.valueInfo["h"] == ValueType(dtype: .float32, shape: [.symbol("N"), .symbol("seq")]))
    }

    @Test func float16InitializerIsUnsupportedDType() {
        expectInferError(.unsupportedDType, containing: ["half_weight", "float16"]) {
            try Fixtures.model("float16_initializer.onnx")
        }
    }

    @Test func opsetBelowTheSchemaIsRefused() throws {
        // old_opset.onnx has Add at opset 6; the check needs a registered Add schema.
        guard let schema = OperatorRegistry.schema(opType: "Add", domain: ""), schema.sinceVersion > 6 else {
            _ = try Fixtures.model("old_opset.onnx")  // no schema yet: not an import error
            return
        }
        expectInferError(.unsupportedOperator, containing: ["old_add", "Add", "ai.onnx", "opset 6"]) {
            try Fixtures.model("old_opset.onnx")
        }
    }

    @Test func everyRegisteredSchemaIsCheckedAgainstTheOpset() throws {
        for schema in OperatorRegistry.all where schema.domain.isEmpty && schema.sinceVersion > 1 {
            let node = Node(name: "n", opType: schema.opType, inputs: [], outputs: ["y"])
            let model = Model(opsetImports: ["": schema.sinceVersion - 1],
                              graph: Graph(outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: nil))],
                                           nodes: [node]))
            let data = try ONNXExporter.exportModel(model)
            expectInferError(.unsupportedOperator, containing: [schema.opType, "opset \(schema.sinceVersion - 1)"]) {
                try ONNXImporter.importModel(data: data, baseDirectory: nil)
            }
            var current = model
            current.opsetImports[""] = schema.sinceVersion
            #expect(try ONNXImporter.importModel(data: ONNXExporter.exportModel(current), baseDirectory: nil) == current)
        }
    }

    @Test func unknownOperatorsAreNotAnImportError() throws {
        let model = try Fixtures.model("attributes.onnx")
        #expect(model.graph.nodes.contains { $0.opType == "AllAttributeKinds" })
    }

    @Test func localFunctionCallIsUnsupported() {
        expectInferError(.unsupportedFeature, containing: ["call", "local.fns.Double", "function"]) {
            try Fixtures.model("local_function.onnx")
        }
    }

    @Test func sparseTensorAttributeIsUnsupported() {
        expectInferError(.unsupportedFeature, containing: ["sparse_const", "sparse_value", "sparse"]) {
            try Fixtures.model("sparse_attribute.onnx")
        }
    }

    @Test func tensorProtoFiles() throws {
        let t = try ONNXImporter.importTensor(data: Fixtures.data("tensor_float.pb"))
        #expect(t.shape == [2, 3])
        #expect(try t.scalars(as: Float.self) == [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
        let i = try ONNXImporter.importTensor(data: Fixtures.data("tensor_int64_typed.pb"))
        #expect(try i.scalars(as: Int64.self) == [7, -1, 0])
    }

    @Test func missingFileIsAnIOError() {
        expectInferError(.io, containing: ["no_such_model.onnx"]) { try Fixtures.model("no_such_model.onnx") }
    }
}
