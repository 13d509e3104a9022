import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

/// `Precision.bf16` end to end: which GEMMs the compiler converts (and why not the others), that a
/// bf16 engine agrees with the fp32 one within bf16's error and yet is not the fp32 path, that a
/// bf16 plan holds half the weight bytes and reloads to the same bits.
@Suite struct ReducedPrecisionTests {
    typealias Seeded = LinearFusionDifferentialTests.Seeded
    static func float(_ name: String, _ dims: Int...) -> ValueInfo {
        ValueInfo(name: name, type: ValueType(dtype: .float32, shape: dims.map(Dim.value)))
    }

    /// x [2, 5, 48] -> MatMul(W1 [48, 64]) + b1 -> Relu -> Gemm-free 3-D path, then a 2-D
    /// Gemm(transB) with bias, a Gemm with alpha 2 (left fp32), and a MatMul of two activations
    /// (left fp32).
    static func model(seed: UInt64 = 3) -> Model {
        var rng = Seeded(seed)
        let inits: [String: Tensor] = [
            "w1": rng.tensor([48, 64], scale: 0.3), "b1": rng.tensor([64]),
            "w2": rng.tensor([40, 64], scale: 0.3), "b2": rng.tensor([40]),
            "w3": rng.tensor([40, 24], scale: 0.3), "shape2d": Tensor(shape: [2], exactly: [Int64(10), 64]),
        ]
        let graph = Graph(name: "mlp", inputs: [float("x", 2, 5, 48)], outputs: [float("y", 10, 24), float("g", 10, 10)],
                          initializers: inits, nodes: [
                              Node(name: "mm1", opType: "MatMul", inputs: ["x", "w1"], outputs: ["h1"]),
                              Node(name: "add1", opType: "Add", inputs: ["h1", "b1"], outputs: ["a1"]),
                              Node(name: "relu1", opType: "Relu", inputs: ["a1"], outputs: ["r1"]),
                              Node(name: "flat", opType: "Reshape", inputs: ["r1", "shape2d"], outputs: ["f"]),
                              Node(name: "gemm2", opType: "Gemm", inputs: ["f", "w2", "b2"], outputs: ["h2"], attributes: ["transB": .int(1)]),
                              Node(name: "gemm3", opType: "Gemm", inputs: ["h2", "w3"], outputs: ["y"], attributes: ["alpha": .float(2)]),
                              Node(name: "gram", opType: "Gemm", inputs: ["h2", "h2"], outputs: ["g"], attributes: ["transB": .int(1)]),
                          ])
        return Model(opsetImports: ["": 17], graph: graph)
    }

    static func feeds(_ seed: UInt64 = 11) -> [String: Tensor] {
        var rng = Seeded(seed)
        return ["x": rng.tensor([2, 5, 48])]
    }

    @Test func constantWeightGemmsBecomeBF16AndTheRestSayWhyNot() throws {
        let (optimized, report) = try Compiler.optimize(Self.model(), level: .full, precision: .bf16)
        let ops = Dictionary(grouping: optimized.graph.nodes, by: \.qualifiedOpType).mapValues(\.count)
        #expect(ops["swiftinfer.BF16MatMul"] == 2, "ops after: \(ops)")
        let bf16 = optimized.graph.nodes.filter { $0.opType == "BF16MatMul" }
        // The first keeps the bias and ReLU its fusion gave it; the weights are [K, N, 2] bytes.
        #expect(bf16.contains { (try? $0.string("activation", default: "")) == "Relu" })
        for node in bf16 {
            let w = try #require(optimized.graph.initializers[node.inputs[1]])
            #expect(w.dtype == .uint8 && w.rank == 3 && w.shape[2] == 2)
        }
        #expect(optimized.graph.initializers["w1"] == nil && optimized.graph.initializers["w2"] == nil, "fp32 copies kept")
        let declined = report.declined.filter { $0.contains("bf16-weights") }
        #expect(declined.contains { $0.contains("gemm3") && $0.contains("alpha is not 1") }, "\(declined)")
        #expect(declined.contains { $0.contains("gram") && $0.contains("B is not a constant") }, "\(declined)")
        // fp32 compiles convert nothing.
        let fp32 = try Compiler.optimize(Self.model(), level: .full).0
        #expect(!fp32.graph.nodes.contains { $0.opType == "BF16MatMul" })
    }

    /// The bf16 engine against the fp32 one (-O0, the graph as imported) on the same inputs: within
    /// 1e-2 of each output's largest magnitude, not bit-equal (the bf16 path ran), not constant.
    @Test func bf16OutputsAgreeWithFP32WithinBF16Error() throws {
        let reference = try Engine(model: Self.model(), options: .init(threads: 1, optimization: .none))
        let reduced = try Engine(model: Self.model(), options: .init(threads: 2, optimization: .full, precision: .bf16))
        let want = try reference.run(Self.feeds()), got = try reduced.run(Self.feeds())
        for name in ["y", "g"] {
            let w = try #require(want[name]).scalars(as: Float.self), g = try #require(got[name]).scalars(as: Float.self)
            let scale = w.map(abs).max() ?? 0
            let worst = zip(w, g).map { abs($0 - $1) }.max() ?? .infinity
            #expect(scale > 0 && worst <= 1e-2 * scale, "\(name): max error \(worst) vs largest magnitude \(scale)")
            #expect(w != g, "\(name): bf16 output is bit-equal to fp32: the bf16 GEMM did not run")
            #expect(Set(g).count > g.count / 2, "\(name): output nearly constant")
        }
    }

    /// A bf16 plan: written and mapped again it gives the same bits, and its weights section is
    /// about half the fp32 plan's (the two converted weights are 5632 of 6912 floats).
    @Test func bf16PlanRoundTripsAndHalvesItsWeights() throws {
        let reduced = try Engine(model: Self.model(), options: .init(threads: 1, optimization: .full, precision: .bf16))
        let fp32 = try Engine(model: Self.model(), options: .init(threads: 1, optimization: .full))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bf16-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bf16File = dir.appendingPathComponent("bf16.plan"), fp32File = dir.appendingPathComponent("fp32.plan")
        _ = try PlanWriter.write(model: reduced.model, optimization: .full, to: bf16File)
        _ = try PlanWriter.write(model: fp32.model, optimization: .full, to: fp32File)
        let loaded = try Engine(contentsOf: bf16File, threads: 1)
        let want = try reduced.run(Self.feeds()), got = try loaded.run(Self.feeds())
        for (name, tensor) in want {
            #expect(try got[name]?.scalars(as: Float.self) == tensor.scalars(as: Float.self), "output \(name) changed through the plan")
        }
        func weightBytes(_ url: URL) throws -> Int {
            try #require(Engine(contentsOf: url, threads: 1).planHeader?.sectionBytes.first { $0.name == "weights" }?.bytes)
        }
        let (bf16Bytes, fp32Bytes) = (try weightBytes(bf16File), try weightBytes(fp32File))
        #expect(Double(bf16Bytes) < 0.7 * Double(fp32Bytes), "weights \(bf16Bytes) bytes at bf16 vs \(fp32Bytes) at fp32")
    }

    /// Malformed BF16MatMul nodes are refused by name, not run: W of the wrong dtype or shape,
    /// K that does not match A's 48 columns.
    @Test(arguments: ["wrong dtype", "wrong shape", "wrong K"])
    func malformedWeightsAreRefused(label: String) throws {
        let w: Tensor = switch label {
        case "wrong dtype": Tensor(shape: [48, 2, 2], exactly: [Float](repeating: 0, count: 48 * 4))
        case "wrong shape": Tensor(shape: [48, 4], exactly: [UInt8](repeating: 0, count: 48 * 4))
        default: Tensor(shape: [40, 2, 2], exactly: [UInt8](repeating: 0, count: 40 * 4))
        }
        let graph = Graph(name: "bad", inputs: [Self.float("x", 2, 48)], outputs: [Self.float("y", 2, 2)], initializers: ["w": w], nodes: [
            Node(name: "mm", opType: "BF16MatMul", domain: "swiftinfer", inputs: ["x", "w"], outputs: ["y"]),
        ])
        let model = Model(opsetImports: ["": 17, "swiftinfer": 1], graph: graph)
        #expect { try Engine(model: model, options: .init(threads: 1, optimization: .canonicalize)) } throws: { error in
            let text = "\(error)"
            return text.contains("BF16MatMul") && (text.contains("uint8") || text.contains("[K, N, 2]") || text.contains("48 columns"))
        }
    }
}
