import Testing
import InferIR
@testable import InferOptimizer
@testable import InferRuntime

/// `fuse-quantized-add` on the differential corpus's QDQ adds: -O2 runs one QuantizedAdd where
/// the model has DequantizeLinear, DequantizeLinear, Add, QuantizeLinear (so the corpus's
/// agreement with ONNX Runtime covers the fused kernel), and a dequantized side that another
/// node reads keeps its DequantizeLinear.
@Suite struct QuantizedAddFusionTests {
    static func ops(_ name: String) throws -> [String] {
        let model = try ModelLoader.load(GraphCorpus.graphs.appendingPathComponent("diff/\(name)/model.onnx"))
        return try Compiler.optimize(model, level: .full).0.graph.nodes.map(\.opType)
    }

    @Test func residualAddBecomesOneQuantizedAdd() throws {
        let ops = try Self.ops("qdq_add")
        // The inputs' QuantizeLinears and the output's DequantizeLinear stay: the model's edges are float.
        #expect(ops == ["QuantizeLinear", "QuantizeLinear", "QuantizedAdd", "DequantizeLinear"], "\(ops)")
    }

    @Test func aSharedSideKeepsItsDequantizeLinear() throws {
        let ops = try Self.ops("qdq_add_shared_input")
        #expect(ops.contains("QuantizedAdd") && !ops.contains("Add"), "\(ops)")
        #expect(ops.filter { $0 == "DequantizeLinear" }.count == 2, "a's (read by the Mul) and y's: \(ops)")
    }
}
