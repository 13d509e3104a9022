import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

/// `Precision.bf16` and `.int8` end to end: which GEMMs the compiler converts (and why not the
/// others), that a reduced engine agrees with the fp32 one within its precision's error and yet
/// is not the fp32 path, that its plan holds a half (bf16) or under a half (int8, with the fp32
/// GEMMs it leaves) of the weight bytes and reloads to the same bits.
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

    /// Per precision: the op it compiles to, its error bound relative to each output's largest
    /// magnitude, and the most its plan's weights section may be of the fp32 plan's.
    static let precisions: [(precision: Precision, op: String, relativeError: Float, weightFraction: Double)] = [
        (.bf16, "BF16MatMul", 1e-2, 0.7), (.int8, "Int8MatMul", 3e-2, 0.45),
    ]

    @Test(arguments: precisions.indices)
    func constantWeightGemmsConvertAndTheRestSayWhyNot(index: Int) throws {
        let (precision, op, _, _) = Self.precisions[index]
        let (optimized, report) = try Compiler.optimize(Self.model(), level: .full, precision: precision)
        let ops = Dictionary(grouping: optimized.graph.nodes, by: \.qualifiedOpType).mapValues(\.count)
        #expect(ops["swiftinfer.\(op)"] == 2, "ops after: \(ops)")
        let converted = optimized.graph.nodes.filter { $0.opType == op }
        // The first keeps the bias and ReLU its fusion gave it.
        #expect(converted.contains { (try? $0.string("activation", default: "")) == "Relu" })
        for node in converted {
            let w = try #require(optimized.graph.initializers[node.inputs[1]])
            if precision == .bf16 {
                #expect(w.dtype == .uint8 && w.rank == 3 && w.shape[2] == 2, "bf16 weights are [K, N, 2] bytes: \(w.dtype)\(w.shape)")
            } else {
                #expect(w.dtype == .int8 && w.rank == 2, "int8 weights are int8 [K, N]: \(w.dtype)\(w.shape)")
                let scale = try #require(optimized.graph.initializers[node.inputs[4]])
                #expect(scale.dtype == .float32 && scale.shape == [w.shape[1]], "W_scale \(scale.dtype)\(scale.shape)")
                // Symmetric per column: each column's largest |value| is 127.
                let q = try w.scalars(as: Int8.self), n = w.shape[1]
                #expect((0..<n).allSatisfy { j in stride(from: j, to: q.count, by: n).map { abs(Int(q[$0])) }.max() == 127 })
            }
        }
        #expect(optimized.graph.initializers["w1"] == nil && optimized.graph.initializers["w2"] == nil, "fp32 copies kept")
        let declined = report.declined.filter { $0.contains("\(precision.rawValue)-weights") }
        #expect(declined.contains { $0.contains("gemm3") && $0.contains("alpha is not 1") }, "\(declined)")
        #expect(declined.contains { $0.contains("gram") && $0.contains("B is not a constant") }, "\(declined)")
        // fp32 compiles convert nothing.
        let fp32 = try Compiler.optimize(Self.model(), level: .full).0
        #expect(!fp32.graph.nodes.contains { $0.opType == op })
    }

    /// The reduced engine against the fp32 one (-O0, the graph as imported) on the same inputs:
    /// within the precision's bound of each output's largest magnitude, not bit-equal (the reduced
    /// path ran), not constant.
    @Test(arguments: precisions.indices)
    func outputsAgreeWithFP32WithinThePrecisionsError(index: Int) throws {
        let (precision, _, relativeError, _) = Self.precisions[index]
        let reference = try Engine(model: Self.model(), options: .init(threads: 1, optimization: .none))
        let reduced = try Engine(model: Self.model(), options: .init(threads: 2, optimization: .full, precision: precision))
        let want = try reference.run(Self.feeds()), got = try reduced.run(Self.feeds())
        for name in ["y", "g"] {
            let w = try #require(want[name]).scalars(as: Float.self), g = try #require(got[name]).scalars(as: Float.self)
            let scale = w.map(abs).max() ?? 0
            let worst = zip(w, g).map { abs($0 - $1) }.max() ?? .infinity
            #expect(scale > 0 && worst <= relativeError * scale, "\(precision) \(name): max error \(worst) vs largest magnitude \(scale)")
            #expect(w != g, "\(precision) \(name): output is bit-equal to fp32: the reduced GEMM did not run")
            #expect(Set(g).count > g.count / 2, "\(precision) \(name): output nearly constant")
        }
    }

    /// A NaN in one row of the input reaches that row's outputs (as at fp32) and no other: the
    /// int8 quantizer gives such a row scale NaN instead of quantizing it to numbers.
    @Test func int8PropagatesNaNPerRow() throws {
        var feeds = Self.feeds()
        var x = try feeds["x"]!.scalars(as: Float.self)
        x[48 * 3 + 7] = .nan  // row 3 of the 10 the 2-D Gemms see
        feeds["x"] = Tensor(shape: [2, 5, 48], exactly: x)
        let reference = try Engine(model: Self.model(), options: .init(threads: 1, optimization: .none)).run(feeds)
        let got = try Engine(model: Self.model(), options: .init(threads: 1, optimization: .full, precision: .int8)).run(feeds)
        let w = try #require(reference["y"]).scalars(as: Float.self), g = try #require(got["y"]).scalars(as: Float.self)
        for row in 0..<10 {
            let wantNaN = w[(row * 24)..<(row * 24 + 24)].map(\.isNaN), gotNaN = g[(row * 24)..<(row * 24 + 24)].map(\.isNaN)
            #expect(gotNaN == wantNaN, "row \(row): NaN outputs \(gotNaN.filter { $0 }.count) at int8 vs \(wantNaN.filter { $0 }.count) at fp32")
        }
        let referenceRow3 = w[(3 * 24)..<(4 * 24)]
        #expect(referenceRow3.allSatisfy { $0.isNaN }, "the reference should have a NaN row 3")
    }

    /// A reduced plan: written and mapped again it gives the same bits, and its weights section
    /// is at most the precision's fraction of the fp32 plan's (the two converted weights are
    /// 5632 of 6912 floats).
    @Test(arguments: precisions.indices)
    func planRoundTripsAndShrinksItsWeights(index: Int) throws {
        let (precision, _, _, fraction) = Self.precisions[index]
        let reduced = try Engine(model: Self.model(), options: .init(threads: 1, optimization: .full, precision: precision))
        let fp32 = try Engine(model: Self.model(), options: .init(threads: 1, optimization: .full))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reduced-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let reducedFile = dir.appendingPathComponent("reduced.plan"), fp32File = dir.appendingPathComponent("fp32.plan")
        _ = try PlanWriter.write(model: reduced.model, optimization: .full, to: reducedFile)
        _ = try PlanWriter.write(model: fp32.model, optimization: .full, to: fp32File)
        let loaded = try Engine(contentsOf: reducedFile, threads: 1)
        let want = try reduced.run(Self.feeds()), got = try loaded.run(Self.feeds())
        for (name, tensor) in want {
            #expect(try got[name]?.scalars(as: Float.self) == tensor.scalars(as: Float.self), "\(precision) output \(name) changed through the plan")
        }
        func weightBytes(_ url: URL) throws -> Int {
            try #require(Engine(contentsOf: url, threads: 1).planHeader?.sectionBytes.first { $0.name == "weights" }?.bytes)
        }
        let (reducedBytes, fp32Bytes) = (try weightBytes(reducedFile), try weightBytes(fp32File))
        #expect(Double(reducedBytes) <= fraction * Double(fp32Bytes), "weights \(reducedBytes) bytes at \(precision) vs \(fp32Bytes) at fp32")
    }

    /// Malformed reduced-precision nodes are refused by name, not run: W of the wrong dtype or
    /// shape, K that does not match A's 48 columns, an int8 W without its scales or with the
    /// wrong number of them.
    @Test(arguments: ["bf16 wrong dtype", "bf16 wrong shape", "bf16 wrong K",
                      "int8 wrong dtype", "int8 wrong K", "int8 no scale", "int8 short scale"])
    func malformedWeightsAreRefused(label: String) throws {
        let zeros48x4 = [UInt8](repeating: 0, count: 48 * 4)
        let (op, w, scale, expected): (String, Tensor, Tensor?, [String]) = switch label {
        case "bf16 wrong dtype": ("BF16MatMul", Tensor(shape: [48, 2, 2], exactly: [Float](repeating: 0, count: 48 * 4)), nil, ["uint8"])
        case "bf16 wrong shape": ("BF16MatMul", Tensor(shape: [48, 4], exactly: zeros48x4), nil, ["[K, N, 2]"])
        case "bf16 wrong K": ("BF16MatMul", Tensor(shape: [40, 2, 2], exactly: [UInt8](repeating: 0, count: 40 * 4)), nil, ["48 columns"])
        case "int8 wrong dtype": ("Int8MatMul", Tensor(shape: [48, 2], exactly: [UInt8](repeating: 0, count: 96)), Tensor(shape: [2], exactly: [Float](repeating: 1, count: 2)), ["int8"])
        case "int8 wrong K": ("Int8MatMul", Tensor(shape: [40, 2], exactly: [Int8](repeating: 0, count: 80)), Tensor(shape: [2], exactly: [Float](repeating: 1, count: 2)), ["48 columns"])
        case "int8 no scale": ("Int8MatMul", Tensor(shape: [48, 2], exactly: [Int8](repeating: 0, count: 96)), nil, ["W_scale"])
        default: ("Int8MatMul", Tensor(shape: [48, 2], exactly: [Int8](repeating: 0, count: 96)), Tensor(shape: [1], exactly: [Float](repeating: 1, count: 1)), ["W_scale"])
        }
        var inits = ["w": w]
        var inputs = ["x", "w"]
        if let scale { inits["s"] = scale; inputs += ["", "", "s"] }
        let graph = Graph(name: "bad", inputs: [Self.float("x", 2, 48)], outputs: [Self.float("y", 2, 2)], initializers: inits, nodes: [
            Node(name: "mm", opType: op, domain: "swiftinfer", inputs: inputs, outputs: ["y"]),
        ])
        let model = Model(opsetImports: ["": 17, "swiftinfer": 1], graph: graph)
        #expect { try Engine(model: model, options: .init(threads: 1, optimization: .canonicalize)) } throws: { error in
            let text = "\(error)"
            return text.contains(op) && expected.allSatisfy { text.contains($0) }
        }
    }
}
