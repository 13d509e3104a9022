import Foundation
import InferIR
import InferRuntime
import Testing

/// Operators at opsets 1-6 with their old semantics: the fixtures in Graphs/old-opsets (written
/// by Tools/make_old_opset_fixtures.py, expected outputs from onnx.reference, ONNX Runtime or
/// numpy as each case's source.txt says), unoptimized and fully optimized, and the clear errors
/// for what the old versions allow but the engine does not run.
@Suite struct OldOpsetTests {
    static let directory = ModelFixtures.root.appendingPathComponent("Graphs/old-opsets")

    /// Every case the generator writes; `theListMatchesTheFixtures` keeps the two in step.
    static let cases = [
        "and1_broadcast_axis", "less1_broadcast_suffix",
        "batchnorm1_consumed_inputs", "batchnorm6_per_element", "batchnorm6_test_mode",
        "cast1_float_to_bool", "cast1_float_to_int32", "cast5_int64_to_float",
        "concat1_default_axis", "split1_second_input",
        "dropout6_is_test",
        "gemm1_scalar_bias", "gemm6_broadcast_bias", "gemm6_full_bias",
        "gru1_reverse", "gru3_linear_before_reset", "lstm1_bidirectional", "rnn1_output_sequence",
        "hardmax1_flattens_from_axis", "softmax1_flattens_from_axis",
        "lppool1_float_p", "topk1_k_attribute",
        "pad1_constant", "pad1_edge", "pad1_reflect",
        "prelu1_shared_slope", "prelu6_per_channel", "prelu6_per_element",
        "tile1_float_scalars", "tile5_runtime_inputs",
        "upsample1_nearest", "upsample6_bilinear",
    ]

    @Test func theListMatchesTheFixtures() throws {
        let found = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { FileManager.default.fileExists(atPath: Self.directory.appendingPathComponent("\($0)/model.onnx").path) }
        #expect(Set(found) == Set(Self.cases), "regenerate with python3 Tools/make_old_opset_fixtures.py and list new cases here")
    }

    @Test(arguments: cases, [OptimizationLevel.none, .full])
    func fixtureMatchesTheReference(name: String, level: OptimizationLevel) throws {
        let dir = Self.directory.appendingPathComponent(name)
        let engine = try Engine(contentsOf: dir.appendingPathComponent("model.onnx"), threads: 1, optimization: level)
        let data = dir.appendingPathComponent("test_data_set_0")
        var feeds: [String: Tensor] = [:]
        for k in 0..<engine.inputs.count {
            let (input, tensor) = try TensorProtoFile.readNamed(data.appendingPathComponent("input_\(k).pb"))
            feeds[input] = tensor
        }
        let outputs = try engine.run(feeds)
        #expect(!engine.outputs.isEmpty)
        for (k, output) in engine.outputs.enumerated() {
            let (expectedName, expected) = try TensorProtoFile.readNamed(data.appendingPathComponent("output_\(k).pb"))
            #expect(expectedName == output.name)
            let actual = try #require(outputs[output.name])
            let comparison = TensorComparison(actual: actual, expected: expected, rtol: 1e-4, atol: 1e-5)
            #expect(comparison.passed, "\(name) \(output.name): \(comparison)")
        }
    }

    // MARK: - Fusions at old opsets

    /// x [2, 3] -> MatMul(W) -> `follower` at opset 6 (its other inputs constants), unoptimized
    /// and fully optimized; the optimized graph must compute the same.
    static func fusedAgreesWithUnfused(_ follower: String, _ parameters: [(String, Tensor)],
                                       _ attributes: [String: Attribute]) throws {
        let w = try Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) / 10 - 0.5 })
        let nodes = [Node(name: "mm", opType: "MatMul", inputs: ["x", "W"], outputs: ["h"]),
                     Node(name: "old", opType: follower, inputs: ["h"] + parameters.map(\.0), outputs: ["y"],
                          attributes: attributes)]
        var initializers = ["W": w]
        for (name, t) in parameters { initializers[name] = t }
        let graph = Graph(inputs: [ValueInfo(name: "x", type: ValueType(dtype: .float32, dims: [2, 3]))],
                          outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, dims: [2, 4]))],
                          initializers: initializers, nodes: nodes)
        let model = Model(opsetImports: ["": 6], graph: graph)
        let feeds = ["x": floats([2, 3])]
        let unfused = try Engine(model: model, threads: 1, optimization: .none).run(feeds)
        let fused = try Engine(model: model, threads: 1, optimization: .full).run(feeds)
        let comparison = TensorComparison(actual: try #require(fused["y"]), expected: try #require(unfused["y"]))
        #expect(comparison.passed, "\(comparison)")
    }

    /// fuse-gemm-epilogue turns MatMul + Add into a Gemm, and fold-batchnorm MatMul +
    /// BatchNormalization into MatMul + Add: before opset 7 the new node needs `broadcast` = 1
    /// to add its per-column bias (without it the optimized graph would be refused).
    @Test func fusionsKeepTheOldBroadcastRule() throws {
        let bias = try Tensor(shape: [4], scalars: [Float(1), -2, 0.5, 3])
        try Self.fusedAgreesWithUnfused("Add", [("b", bias)], ["broadcast": .int(1)])
        let variance = try Tensor(shape: [4], scalars: [Float(1), 2, 0.5, 4])
        try Self.fusedAgreesWithUnfused("BatchNormalization", [("s", bias), ("b", bias), ("m", bias), ("v", variance)],
                                        ["is_test": .int(1)])
    }

    // MARK: - What the old versions allow but the engine refuses, with the node, op and opset named

    /// One node "old" at `opset`, inputs fed as given and outputs as named; run at `level`.
    static func run(_ op: String, opset: Int, _ inputs: [(String, Tensor)], _ attributes: [String: Attribute] = [:],
                    outputs: [String] = ["y"], level: OptimizationLevel) throws {
        let node = Node(name: "old", opType: op, inputs: inputs.map(\.0), outputs: outputs, attributes: attributes)
        let graph = Graph(inputs: inputs.map { ValueInfo(name: $0.0, type: $0.1.type) },
                          outputs: outputs.map { ValueInfo(name: $0, type: ValueType(dtype: .float32, shape: nil)) },
                          nodes: [node])
        let engine = try Engine(model: Model(opsetImports: ["": opset], graph: graph), threads: 1, optimization: level)
        _ = try engine.run(Dictionary(uniqueKeysWithValues: inputs))
    }

    static func floats(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, exactly: (0..<shape.reduce(1, *)).map { Float($0 % 7) - 3 })
    }

    struct Refusal: CustomTestStringConvertible, Sendable {
        var description: String
        var op: String
        var opset: Int
        var inputs: [(String, Tensor)]
        var attributes: [String: Attribute] = [:]
        var kind: InferError.Kind
        var says: String
        var testDescription: String { description }
    }

    static let refusals: [Refusal] = [
        Refusal(description: "Gemm-6 C smaller than [M, N] without broadcast", op: "Gemm", opset: 6,
                inputs: [("a", floats([2, 3])), ("b", floats([3, 4])), ("c", floats([4]))],
                kind: .invalidShape, says: "broadcast = 1"),
        Refusal(description: "BatchNormalization-6 without is_test (training mode)", op: "BatchNormalization", opset: 6,
                inputs: [("x", floats([1, 2, 2])), ("s", floats([2])), ("b", floats([2])), ("m", floats([2])),
                         ("v", Tensor(shape: [2], exactly: [Float(1), 2]))],
                kind: .unsupportedFeature, says: "is_test = 0"),
        Refusal(description: "Dropout-1 with is_test = 0 (training mode)", op: "Dropout", opset: 1,
                inputs: [("x", floats([2, 3]))], attributes: ["is_test": .int(0)],
                kind: .unsupportedFeature, says: "is_test = 0"),
        Refusal(description: "PRelu-6 slope along the last axis, not the channel axis", op: "PRelu", opset: 6,
                inputs: [("x", floats([2, 3, 4])), ("slope", floats([4]))],
                kind: .invalidShape, says: "one value per channel"),
        Refusal(description: "Upsample-1 of a 3-D input", op: "Upsample", opset: 1,
                inputs: [("x", floats([1, 2, 3]))], attributes: ["height_scale": .float(2), "width_scale": .float(2)],
                kind: .invalidShape, says: "4-D"),
        Refusal(description: "Cast-1 to a name that is no ONNX type", op: "Cast", opset: 1,
                inputs: [("x", floats([2]))], attributes: ["to": .string("FLOAT7")],
                kind: .invalidModel, says: "\"FLOAT7\""),
        Refusal(description: "Cast-5 to float16", op: "Cast", opset: 5,
                inputs: [("x", floats([2]))], attributes: ["to": .string("FLOAT16")],
                kind: .unsupportedDType, says: "float16"),
        Refusal(description: "Tile-1 with two tile counts", op: "Tile", opset: 1,
                inputs: [("x", floats([2, 3])), ("tiles", floats([2])), ("axis", Tensor(shape: [1], exactly: [Float(0)]))],
                kind: .invalidModel, says: "tiles and axis must be one value each"),
    ]

    @Test(arguments: refusals, [OptimizationLevel.none, .full])
    func refusalNamesNodeOpAndOpset(_ refusal: Refusal, level: OptimizationLevel) {
        let error = #expect(throws: InferError.self) {
            try Self.run(refusal.op, opset: refusal.opset, refusal.inputs, refusal.attributes, level: level)
        }
        guard let error else { return }
        #expect(error.kind == refusal.kind, "\(error)")
        let text = "\(error)"
        for part in ["\"old\"", refusal.op, "opset \(refusal.opset)", refusal.says] {
            #expect(text.contains(part), "\"\(text)\" lacks \"\(part)\"")
        }
        #expect(!text.contains("\n"), "not one line: \(text)")
    }
}
