import Foundation
import Testing
import InferIR
@testable import InferOptimizer
@testable import InferRuntime

/// ONNX Runtime's quantize_dynamic chain (DynamicQuantizeLinear, MatMulInteger, Cast, the scale
/// Mul) fused into one int8 GEMM: the fused engine's outputs are the unfused graph's bit for bit
/// (the kernel quantizes by the operator's own rule and computes the same integers), including
/// inputs with NaN; chains the kernel cannot compute exactly are left alone with the reason.
@Suite struct DynamicQuantizedMatMulTests {
    typealias Seeded = LinearFusionDifferentialTests.Seeded

    /// x [2, 6, 20] -> DynamicQuantizeLinear -> MatMulInteger(W int8 [20, 24], wzp) -> Cast ->
    /// Mul(., Mul(x_scale, w_scale)) -> Add(bias) -> y, as quantize_dynamic writes it.
    static func chain(weights: Tensor? = nil, weightZero: Tensor? = nil, wScale: Tensor? = nil) -> Model {
        var rng = Seeded(5)
        let w = weights ?? Tensor(shape: [20, 24], exactly: (0..<480).map { Int8(truncatingIfNeeded: ($0 * 37) % 255 - 127) })
        let inits: [String: Tensor] = [
            "w": w, "wzp": weightZero ?? Tensor(shape: [24], exactly: [Int8](repeating: 0, count: 24)),
            "ws": wScale ?? Tensor(shape: [24], exactly: (0..<24).map { 0.002 + Float($0) * 1e-4 }),
            "b": rng.tensor([24]),
        ]
        let graph = Graph(name: "dq", inputs: [ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: [.value(2), .value(6), .value(20)]))],
                          outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: [.value(2), .value(6), .value(24)]))],
                          initializers: inits, nodes: [
                              Node(name: "dql", opType: "DynamicQuantizeLinear", inputs: ["x"], outputs: ["xq", "xs", "xzp"]),
                              Node(name: "scales", opType: "Mul", inputs: ["xs", "ws"], outputs: ["s"]),
                              Node(name: "mmi", opType: "MatMulInteger", inputs: ["xq", "w", "xzp", "wzp"], outputs: ["acc"]),
                              Node(name: "cast", opType: "Cast", inputs: ["acc"], outputs: ["accf"], attributes: ["to": .int(1)]),
                              Node(name: "dequant", opType: "Mul", inputs: ["accf", "s"], outputs: ["mm"]),
                              Node(name: "bias", opType: "Add", inputs: ["mm", "b"], outputs: ["y"]),
                          ])
        return Model(opsetImports: ["": 17], graph: graph)
    }

    static func feeds(nan: Bool = false) -> [String: Tensor] {
        var rng = Seeded(9)
        var x = rng.values(240, scale: 3)
        if nan { x[41] = .nan }
        return ["x": Tensor(shape: [2, 6, 20], exactly: x)]
    }

    @Test(arguments: [false, true])
    func fusedChainGivesTheUnfusedBits(nan: Bool) throws {
        let (optimized, _) = try Compiler.optimize(Self.chain(), level: .full)
        let int8 = optimized.graph.nodes.filter { $0.opType == "Int8MatMul" }
        #expect(int8.count == 1 && !optimized.graph.nodes.contains { $0.opType == "MatMulInteger" }, "\(optimized.graph.nodes.map(\.opType))")
        #expect((try? int8.first?.string("activation_quantization", default: "")) == "tensor")
        let reference = try Engine(model: Self.chain(), options: .init(threads: 1, optimization: .none))
        let fused = try Engine(model: Self.chain(), options: .init(threads: 2, optimization: .full))
        let want = try #require(try reference.run(Self.feeds(nan: nan))["y"]).scalars(as: Float.self)
        let got = try #require(try fused.run(Self.feeds(nan: nan))["y"]).scalars(as: Float.self)
        let differing = zip(want, got).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "nan \(nan): \(differing) of \(want.count) outputs differ from the unfused chain's bits")
        #expect(Set(got).count > got.count / 2, "output nearly constant")
    }

    /// Asymmetric weights (a nonzero weight zero point) and uint8 weights stay unfused, and say why.
    @Test(arguments: ["weight zero point", "uint8 weights"])
    func chainsTheKernelCannotComputeAreLeftAlone(label: String) throws {
        let model = label == "weight zero point"
            ? Self.chain(weightZero: Tensor(shape: [24], exactly: [Int8](repeating: 3, count: 24)))
            : Self.chain(weights: Tensor(shape: [20, 24], exactly: (0..<480).map { UInt8($0 % 251) }),
                         weightZero: Tensor(shape: [24], exactly: [UInt8](repeating: 0, count: 24)))
        let (optimized, report) = try Compiler.optimize(model, level: .full)
        #expect(optimized.graph.nodes.contains { $0.opType == "MatMulInteger" }, "\(label): fused anyway")
        let reason = label == "weight zero point" ? "zero point" : "int8 matrix"
        #expect(report.declined.contains { $0.contains("dynamic-quantized-matmul") && $0.contains(reason) }, "\(report.declined)")
        // And the unfused graph still computes the same at every level.
        let a = try Engine(model: model, options: .init(threads: 1, optimization: .none)).run(Self.feeds())
        let b = try Engine(model: model, options: .init(threads: 1, optimization: .full)).run(Self.feeds())
        #expect(try a["y"]!.scalars(as: Float.self) == b["y"]!.scalars(as: Float.self))
    }
}
