import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// The engine's two program layouts (`.dynamic` at -O0, `.planned` arena programs at -O1/-O2)
/// must agree, and plans must be cached per input shape with a bound.
@Suite struct EngineTests {
    /// x[N,8] -> MatMul W[8,6] -> Reshape [N,2,3] -> Reshape [N,6] -> Gemm(W2[6,4], b[4]) -> y
    static func model() -> Model {
        func values(_ n: Int, _ seed: Int) -> [Float] { (0..<n).map { Float(($0 * 37 + seed * 11) % 17) / 8 - 1 } }
        let graph = Graph(
            name: "chain",
            inputs: [ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(8)]))],
            outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(4)]))],
            initializers: [
                "W": Tensor(shape: [8, 6], exactly: values(48, 1)),
                "W2": Tensor(shape: [6, 4], exactly: values(24, 2)),
                "b": Tensor(shape: [4], exactly: values(4, 3)),
                "s3": Tensor(shape: [3], exactly: [Int64](arrayLiteral: 0, 2, 3)),
                "s2": Tensor(shape: [2], exactly: [Int64](arrayLiteral: -1, 6)),
            ],
            nodes: [
                Node(name: "mm", opType: "MatMul", inputs: ["x", "W"], outputs: ["h"]),
                Node(name: "r1", opType: "Reshape", inputs: ["h", "s3"], outputs: ["h3"]),
                Node(name: "r2", opType: "Reshape", inputs: ["h3", "s2"], outputs: ["h2"]),
                Node(name: "fc", opType: "Gemm", inputs: ["h2", "W2", "b"], outputs: ["y"]),
            ])
        return Model(opsetImports: ["": 17], graph: graph)
    }

    static func input(_ n: Int) -> Tensor {
        Tensor(shape: [n, 8], exactly: (0..<(n * 8)).map { Float($0 % 13) / 6 - 1 })
    }

    @Test func staticPlanMatchesDynamicExecutor() throws {
        let reference = try Engine(model: Self.model(), optimization: .none)
        let planned = try Engine(model: Self.model(), optimization: .full)
        for n in [1, 3, 5] {
            let x = Self.input(n)
            let a = try reference.run(["x": x])["y"]!
            let b = try planned.run(["x": x])["y"]!
            #expect(a.shape == [n, 4])
            #expect(a == b, "N=\(n)")
        }
        let plan = try planned.plan(for: ["x": Self.input(3)])
        // Reshapes are views: only MatMul and Gemm run.
        #expect(plan.steps.map(\.node.opType) == ["MatMul", "Gemm"])
        #expect(plan.memory.arenaBytes <= plan.memory.unplannedBytes)
    }

    @Test func planCacheIsBounded() throws {
        let engine = try Engine(model: Self.model())
        for n in 1...20 { _ = try engine.run(["x": Self.input(n)]) }
        #expect(try engine.planCount <= 8)
    }
}
