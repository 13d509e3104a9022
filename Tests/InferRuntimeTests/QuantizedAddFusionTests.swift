import Testing
import InferIR
@testable import InferOptimizer
@testable import InferRuntime

/// `fuse-quantized-add` (and `fuse-quantized-maxpool`) on the differential corpus's QDQ adds: -O2 runs one QuantizedAdd where
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

    /// fuse-quantized-maxpool: a pool between a DequantizeLinear and a QuantizeLinear of one
    /// scale and zero point runs on the bytes (the corpus checks its outputs against ORT).
    @Test func quantizedPoolRunsOnTheBytes() throws {
        let model = try ModelLoader.load(GraphCorpus.graphs.appendingPathComponent("diff/qdq_maxpool/model.onnx"))
        let optimized = try Compiler.optimize(model, level: .full).0
        #expect(optimized.graph.nodes.map(\.opType) == ["QuantizeLinear", "MaxPool", "DequantizeLinear"], "\(optimized.graph.nodes.map(\.opType))")
        let pool = try #require(optimized.graph.nodes.first { $0.opType == "MaxPool" })
        #expect(optimized.graph.valueInfo[pool.outputs[0]]?.dtype == .uint8, "the pool's output is the uint8 tensor")
    }

    @Test func aSharedSideKeepsItsDequantizeLinear() throws {
        let ops = try Self.ops("qdq_add_shared_input")
        #expect(ops.contains("QuantizedAdd") && !ops.contains("Add"), "\(ops)")
        #expect(ops.filter { $0 == "DequantizeLinear" }.count == 2, "a's (read by the Mul) and y's: \(ops)")
    }
}
