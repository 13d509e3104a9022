import Foundation
import Testing
import InferIR
@testable import InferOptimizer
@testable import InferRuntime

/// `fuse-quantized-conv` on the QDQ cases of the differential corpus (Tools/make_diff_corpus.py,
/// written as ONNX Runtime's quantize_static writes a convolution): the ones the int8 kernel
/// computes become one `Int8Conv` each, the others stay DequantizeLinear + float Conv and say
/// why. That their outputs agree with ONNX Runtime and -O0 is DifferentialCorpusTests' job; this
/// checks that -O2 really took the integer path there, so that agreement covers it.
@Suite struct QuantizedConvolutionTests {
    static func optimized(_ name: String) throws -> (Model, [String]) {
        let model = try ModelLoader.load(GraphCorpus.graphs.appendingPathComponent("diff/\(name)/model.onnx"))
        let (optimized, report) = try Compiler.optimize(model, level: .full)
        return (optimized, report.declined)
    }

    @Test(arguments: ["qdq_conv_3x3_per_channel", "qdq_conv_7x7_strided_per_tensor", "qdq_conv_1x1_shared_input", "qdq_conv_1d"])
    func qdqConvolutionsBecomeInt8Conv(name: String) throws {
        let (model, _) = try Self.optimized(name)
        let ops = model.graph.nodes.map(\.opType)
        #expect(ops.filter { $0 == "Int8Conv" }.count == 1 && !ops.contains("Conv"), "\(name): \(ops)")
        // The weight's DequantizeLinear went with the Conv; x's stays only while the Add reads it.
        let dequantizers = ops.filter { $0 == "DequantizeLinear" }.count
        #expect(dequantizers == (name.hasSuffix("shared_input") ? 1 : 0), "\(name): \(ops)")
        let conv = try #require(model.graph.nodes.first { $0.opType == "Int8Conv" })
        #expect(model.graph.initializers[conv.inputs[1]]?.dtype == .int8, "\(name): W is not the int8 weight")
    }

    /// quantize_static's QuantizeLinear after the convolution goes into the Int8Conv, which then
    /// writes uint8 (Y_scale, Y_zero_point); only the output's DequantizeLinear stays.
    @Test func theFollowingQuantizeLinearIsFused() throws {
        let (model, _) = try Self.optimized("qdq_conv_requantized")
        let ops = model.graph.nodes.map(\.opType)
        // x's QuantizeLinear stays (the model's input is float); y's went into the Int8Conv.
        #expect(ops == ["QuantizeLinear", "Int8Conv", "DequantizeLinear"], "\(ops)")
        let conv = try #require(model.graph.nodes.first { $0.opType == "Int8Conv" })
        #expect(conv.inputs.count == 8 && model.graph.initializers[conv.inputs[7]]?.dtype == .uint8, "\(conv.inputs)")
        let dequantize = try #require(model.graph.nodes.first { $0.opType == "DequantizeLinear" })
        #expect(dequantize.inputs[0] == conv.outputs[0], "the DequantizeLinear reads the Int8Conv's bytes")
    }

    /// A depthwise 3x3 between quantized tensors becomes one QuantizedDepthwiseConv (uint8 in,
    /// uint8 out) reading the weights as the folded float constant.
    @Test(arguments: ["qdq_conv_depthwise", "qdq_conv_depthwise_strided"])
    func depthwiseConvolutionsBecomeQuantizedDepthwiseConv(name: String) throws {
        let (model, _) = try Self.optimized(name)
        let ops = model.graph.nodes.map(\.opType)
        #expect(ops == ["QuantizeLinear", "QuantizedDepthwiseConv", "DequantizeLinear"], "\(name): \(ops)")
        let conv = try #require(model.graph.nodes.first { $0.opType == "QuantizedDepthwiseConv" })
        #expect(model.graph.initializers[conv.inputs[1]]?.dtype == .float32, "\(name): W is not the folded float weight")
    }

    @Test(arguments: [("qdq_conv_grouped", "group > 1"), ("qdq_conv_asymmetric_weights", "zero point is not a constant 0")])
    func convolutionsTheKernelCannotComputeAreLeftAlone(name: String, reason: String) throws {
        let (model, declined) = try Self.optimized(name)
        let ops = model.graph.nodes.map(\.opType)
        #expect(ops.contains("Conv") && !ops.contains("Int8Conv"), "\(name): \(ops)")
        #expect(declined.contains { $0.contains("quantized-conv") && $0.contains(reason) }, "\(name): \(declined)")
        // The weights were folded to float after the fusions: no DequantizeLinear of a constant is left to run.
        #expect(!ops.contains("DequantizeLinear") || model.graph.nodes.filter { $0.opType == "DequantizeLinear" }
                    .allSatisfy { model.graph.initializers[$0.inputs[0]] == nil }, "\(name): \(ops)")
    }

    /// A float model's convolutions are not candidates: no decision is reported for them.
    @Test func floatConvolutionsAreNotReported() throws {
        let (model, declined) = try Self.optimized("conv_3x3_padded")
        #expect(model.graph.nodes.contains { $0.opType == "Conv" || $0.opType == "FusedConv" })
        #expect(!declined.contains { $0.contains("quantized-conv") }, "\(declined)")
    }
}
