import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

/// Differential tests of the GEMM / convolution fusions: the same model at -O0 (no passes,
/// dynamic executor) and -O2 (fused, static plan) on seeded random inputs must agree within
/// rtol 1e-4 / atol 1e-5, and -O2 must run fewer nodes.
@Suite struct LinearFusionDifferentialTests {
    /// Deterministic uniform floats in [-1, 1) (64-bit LCG).
    struct Seeded {
        var state: UInt64
        init(_ seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
        mutating func values(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in next() * scale } }
        mutating func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
            Tensor(shape: shape, exactly: values(shape.reduce(1, *), scale: scale))
        }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs both engines on seeded inputs; returns the -O2 engine for further checks.
    @discardableResult
    static func expectSameOutputs(_ model: Model, seed: UInt64 = 7, sourceLocation: SourceLocation = #_sourceLocation) throws -> Engine {
        let reference = try Engine(model: model, optimization: .none)
        let fused = try Engine(model: model, optimization: .full)
        var rng = Seeded(seed)
        var feeds: [String: Tensor] = [:]
        for input in reference.inputs {
            let dims = (input.type.shape ?? []).map { $0.intValue ?? 2 }
            feeds[input.name] = rng.tensor(dims)
        }
        let expected = try reference.run(feeds), actual = try fused.run(feeds)
        for (name, e) in expected {
            let a = try #require(actual[name], sourceLocation: sourceLocation)
            #expect(a.shape == e.shape, sourceLocation: sourceLocation)
            let ev = try e.scalars(as: Float.self), av = try a.scalars(as: Float.self)
            var worst: Float = 0
            for (x, y) in zip(av, ev) { worst = max(worst, abs(x - y) - (1e-5 + 1e-4 * abs(y))) }
            #expect(worst <= 0, "output \(name) differs beyond rtol 1e-4 / atol 1e-5 (excess \(worst))", sourceLocation: sourceLocation)
        }
        #expect(fused.model.graph.nodes.count < model.graph.nodes.count, "fusion did not reduce the node count",
                sourceLocation: sourceLocation)
        return fused
    }

    static func opCounts(_ engine: Engine) -> [String: Int] {
        Dictionary(grouping: engine.model.graph.nodes, by: \.qualifiedOpType).mapValues(\.count)
    }

    static func float(_ name: String, _ dims: [Dim]) -> ValueInfo { ValueInfo(name: name, type: ValueType(dtype: .float32, shape: dims)) }
    static func d(_ v: Int...) -> [Dim] { v.map(Dim.value) }

    /// BatchNorm parameters for `c` channels with positive variances.
    static func batchNorm(_ prefix: String, _ c: Int, _ rng: inout Seeded) -> [String: Tensor] {
        [prefix + "_g": rng.tensor([c]), prefix + "_b": rng.tensor([c]), prefix + "_m": rng.tensor([c], scale: 0.5),
         prefix + "_v": Tensor(shape: [c], exactly: rng.values(c).map { $0 * 0.4 + 0.6 })]
    }

    static func bnNode(_ prefix: String, _ x: String, _ y: String) -> Node {
        Node(name: prefix, opType: "BatchNormalization", inputs: [x, prefix + "_g", prefix + "_b", prefix + "_m", prefix + "_v"],
             outputs: [y], attributes: ["epsilon": .float(1e-3)])
    }

    // MARK: - Small graphs, one per fusion shape

    /// Conv(3x3, pad 1) + BN + Relu + Add(x) (activation first) and Conv + BN + Add(x) + Relu
    /// (ResNet order, residual first), back to back.
    @Test func convBatchNormReluResidualBothOrders() throws {
        var rng = Seeded(1)
        var inits: [String: Tensor] = ["w1": rng.tensor([4, 4, 3, 3], scale: 0.3), "b1": rng.tensor([4]),
                                       "w2": rng.tensor([4, 4, 3, 3], scale: 0.3)]
        inits.merge(Self.batchNorm("bn1", 4, &rng)) { $1 }
        inits.merge(Self.batchNorm("bn2", 4, &rng)) { $1 }
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]
        let graph = Graph(name: "blocks", inputs: [Self.float("x", Self.d(2, 4, 5, 6))], outputs: [Self.float("y", Self.d(2, 4, 5, 6))],
                          initializers: inits, nodes: [
                            Node(name: "c1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: pads),
                            Self.bnNode("bn1", "c1", "n1"),
                            Node(name: "r1", opType: "Relu", inputs: ["n1"], outputs: ["r1"]),
                            Node(name: "a1", opType: "Add", inputs: ["r1", "x"], outputs: ["s1"]),
                            Node(name: "c2", opType: "Conv", inputs: ["s1", "w2"], outputs: ["c2"], attributes: pads),
                            Self.bnNode("bn2", "c2", "n2"),
                            Node(name: "a2", opType: "Add", inputs: ["s1", "n2"], outputs: ["s2"]),
                            Node(name: "r2", opType: "Relu", inputs: ["s2"], outputs: ["y"]),
                          ])
        let engine = try Self.expectSameOutputs(Model(opsetImports: ["": 17], graph: graph))
        #expect(Self.opCounts(engine) == ["swiftinfer.FusedConv": 2])
    }

    /// Depthwise Conv (stride 2) + BN + Clip(0, 6) (MobileNet), then pointwise Conv + Mul + Add + HardSigmoid.
    @Test func depthwiseReLU6AndPointwiseAffine() throws {
        var rng = Seeded(2)
        var inits: [String: Tensor] = ["dw": rng.tensor([6, 1, 3, 3]), "pw": rng.tensor([5, 6, 1, 1]),
                                       "lo": Tensor(scalar: Float(0)), "hi": Tensor(scalar: Float(6)),
                                       "k": rng.tensor([5, 1, 1]), "t": rng.tensor([1, 5, 1, 1])]
        inits.merge(Self.batchNorm("bn", 6, &rng)) { $1 }
        let graph = Graph(name: "mobile", inputs: [Self.float("x", Self.d(1, 6, 9, 9))], outputs: [Self.float("y", Self.d(1, 5, 5, 5))],
                          initializers: inits, nodes: [
                            Node(name: "dw", opType: "Conv", inputs: ["x", "dw"], outputs: ["c"],
                                 attributes: ["group": .int(6), "pads": .ints([1, 1, 1, 1]), "strides": .ints([2, 2])]),
                            Self.bnNode("bn", "c", "n"),
                            Node(name: "relu6", opType: "Clip", inputs: ["n", "lo", "hi"], outputs: ["r"]),
                            Node(name: "pw", opType: "Conv", inputs: ["r", "pw"], outputs: ["p"]),
                            Node(name: "mul", opType: "Mul", inputs: ["p", "k"], outputs: ["m"]),
                            Node(name: "add", opType: "Add", inputs: ["t", "m"], outputs: ["a"]),
                            Node(name: "hs", opType: "HardSigmoid", inputs: ["a"], outputs: ["y"]),
                          ])
        let engine = try Self.expectSameOutputs(Model(opsetImports: ["": 17], graph: graph))
        #expect(Self.opCounts(engine) == ["swiftinfer.FusedConv": 2])
    }

    /// Gemm(transB) + BN + Sigmoid; Gemm + Mul + Add + Tanh; Gemm + HardSwish + residual.
    @Test func gemmChains() throws {
        var rng = Seeded(3)
        var inits: [String: Tensor] = ["w1": rng.tensor([6, 5]), "c1": rng.tensor([6]), "w2": rng.tensor([6, 6]),
                                       "k": rng.tensor([6]), "t": rng.tensor([1, 6]), "w3": rng.tensor([6, 6])]
        inits.merge(Self.batchNorm("bn", 6, &rng)) { $1 }
        let graph = Graph(name: "gemms", inputs: [Self.float("x", Self.d(3, 5))], outputs: [Self.float("y", Self.d(3, 6))],
                          initializers: inits, nodes: [
                            Node(name: "g1", opType: "Gemm", inputs: ["x", "w1", "c1"], outputs: ["g1"],
                                 attributes: ["transB": .int(1), "alpha": .float(0.5), "beta": .float(2)]),
                            Self.bnNode("bn", "g1", "n"),
                            Node(name: "s", opType: "Sigmoid", inputs: ["n"], outputs: ["s"]),
                            Node(name: "g2", opType: "Gemm", inputs: ["s", "w2"], outputs: ["g2"]),
                            Node(name: "mul", opType: "Mul", inputs: ["g2", "k"], outputs: ["m"]),
                            Node(name: "add", opType: "Add", inputs: ["m", "t"], outputs: ["a"]),
                            Node(name: "tanh", opType: "Tanh", inputs: ["a"], outputs: ["h"]),
                            Node(name: "g3", opType: "Gemm", inputs: ["h", "w3"], outputs: ["g3"]),
                            Node(name: "hs", opType: "HardSwish", inputs: ["g3"], outputs: ["q"]),
                            Node(name: "res", opType: "Add", inputs: ["h", "q"], outputs: ["y"]),
                          ])
        let engine = try Self.expectSameOutputs(Model(opsetImports: ["": 17], graph: graph))
        #expect(Self.opCounts(engine) == ["swiftinfer.FusedGemm": 3])
    }

    /// Transposes into GEMM flags: 2-D MatMul(Transpose(a), W) + LeakyRelu -> FusedGemm; batched
    /// MatMul(q, Transpose(k)) + bias + Gelu (opset 20) + residual -> FusedMatMul.
    @Test func transposedOperandsAndMatMulEpilogues() throws {
        var rng = Seeded(4)
        let inits: [String: Tensor] = ["w": rng.tensor([4, 3]), "bias": rng.tensor([5])]
        let graph = Graph(name: "transposes",
                          inputs: [Self.float("a", Self.d(4, 6)), Self.float("q", Self.d(2, 3, 4)), Self.float("k", Self.d(2, 5, 4)),
                                   Self.float("r", Self.d(2, 3, 5))],
                          outputs: [Self.float("y1", Self.d(6, 3)), Self.float("y2", Self.d(2, 3, 5))],
                          initializers: inits, nodes: [
                            Node(name: "ta", opType: "Transpose", inputs: ["a"], outputs: ["at"], attributes: ["perm": .ints([1, 0])]),
                            Node(name: "mm1", opType: "MatMul", inputs: ["at", "w"], outputs: ["m1"]),
                            Node(name: "lr", opType: "LeakyRelu", inputs: ["m1"], outputs: ["y1"], attributes: ["alpha": .float(0.2)]),
                            Node(name: "tk", opType: "Transpose", inputs: ["k"], outputs: ["kt"], attributes: ["perm": .ints([0, 2, 1])]),
                            Node(name: "mm2", opType: "MatMul", inputs: ["q", "kt"], outputs: ["m2"]),
                            Node(name: "b", opType: "Add", inputs: ["m2", "bias"], outputs: ["b2"]),
                            Node(name: "gelu", opType: "Gelu", inputs: ["b2"], outputs: ["g2"]),
                            Node(name: "res", opType: "Add", inputs: ["g2", "r"], outputs: ["y2"]),
                          ])
        let engine = try Self.expectSameOutputs(Model(opsetImports: ["": 20], graph: graph))
        #expect(Self.opCounts(engine) == ["swiftinfer.FusedGemm": 1, "swiftinfer.FusedMatMul": 1])
    }

    /// A residual whose bytes are the output's own (what an in-place memory plan could hand out)
    /// is saved before the convolution overwrites it.
    @Test func residualAliasingTheOutputIsSafe() throws {
        var rng = Seeded(5)
        let x = rng.tensor([1, 2, 4, 4]), w = rng.tensor([2, 2, 3, 3]), r = rng.tensor([1, 2, 4, 4])
        let node = Node(name: "f", opType: "FusedConv", domain: "swiftinfer", inputs: ["x", "w", "", "r"], outputs: ["y"],
                        attributes: ["pads": .ints([1, 1, 1, 1]), "activation": .string("Relu"),
                                     "has_residual": .int(1), "residual_before_activation": .int(1)])
        let binding = try #require(LoweringTable.binding(for: node))
        let separate = Tensor(zeros: .float32, shape: [1, 2, 4, 4])
        try binding.run(KernelContext(node: node, opset: 1, inputs: [x, w, nil, r], outputs: [separate]))
        let shared = r.copy()
        try binding.prepared(for: KernelContext(node: node, opset: 1, inputs: [x, w, nil, shared], outputs: [shared]))()
        #expect(try shared.scalars(as: Float.self) == separate.scalars(as: Float.self))
    }

    // MARK: - Real models

    static func load(_ path: String) throws -> Model {
        try ModelLoader.load(packageRoot.appendingPathComponent(path))
    }

    @Test(arguments: ["Graphs/models/convnet/model.onnx", "Graphs/bench/resnet/model.onnx", "Graphs/bench/mobilenetv2/model.onnx"])
    func convNetsFuseCompletely(path: String) throws {
        let engine = try Self.expectSameOutputs(try Self.load(path))
        let ops = Self.opCounts(engine)
        #expect(ops["BatchNormalization"] == nil, "\(ops)")
        #expect(ops["Relu"] == nil, "\(ops)")
        #expect(ops["Clip"] == nil, "\(ops)")
        #expect((ops["swiftinfer.FusedConv"] ?? 0) > 0, "\(ops)")
        // The fused model is still ONNX text: it prints, parses back unchanged, and imports swiftinfer.
        #expect(engine.model.opsetImports["swiftinfer"] == 1)
        #expect(try ONNXTextParser.parseModel(ONNXTextPrinter.print(engine.model)) == engine.model)
    }
}
