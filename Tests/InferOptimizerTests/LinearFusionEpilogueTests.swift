import Testing
@testable import InferIR
@testable import InferOptimizer

/// Golden before/after tests of `fuse-gemm-epilogue`. Expected texts were produced by the pass
/// and reviewed by hand: the fused node takes the core's inputs, the (merged) bias in slot 2,
/// the residual last; its activation and parameters are the removed node's; residual order
/// matches the graph (Add before Relu -> residual_before_activation = 1); bias values are the
/// old bias plus the Add's constant (checked per channel in the comments).
@Suite struct LinearFusionEpilogueTests {
    static let header = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >

    """
    static let fusedHeader = """
    <
       ir_version: 8,
       opset_import: ["" : 17, "swiftinfer" : 1]
    >

    """

    /// Conv (no bias) + Add [1,2,1,1] + Relu: the Add's constant becomes the bias ([0.5, -1]).
    @Test func convBiasRelu() throws {
        let before = Self.header + """
        conv_bias_relu (float[1,2,3,3] x) => (float[1,2,3,3] y)
           <float[2,2,1,1] w = {1,2,3,4}, float[1,2,1,1] k = {0.5,-1}>
        {
           [conv] c = Conv (x, w)
           [bias] d = Add (c, k)
           [relu] y = Relu (d)
        }
        """
        let after = Self.fusedHeader + """
        conv_bias_relu (float[1,2,3,3] x) => (float[1,2,3,3] y)
           <float[2,2,1,1] w = {1.0,2.0,3.0,4.0}, float[2] w_bias_fused = {0.5,-1.0}>
        {
           [conv] y = swiftinfer.FusedConv (x, w, w_bias_fused) <activation: string = "Relu">
        }

        """
        let (text, _, context) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(text == after)
        #expect(context.fusions == ["conv+bias+relu": 1])
    }

    /// EfficientNet's SiLU as torch exports it: the conv output read by a Sigmoid and by the Mul
    /// of itself with that Sigmoid (either operand order). Both nodes go into the epilogue.
    @Test(arguments: ["c, s", "s, c"])
    func convSigmoidMulIsSilu(operands: String) throws {
        let before = Self.header + """
        conv_silu (float[1,2,3,3] x) => (float[1,2,3,3] y)
           <float[2,2,1,1] w = {1,2,3,4}, float[2] b = {0.25,0.75}>
        {
           [conv] c = Conv (x, w, b)
           [sigmoid] s = Sigmoid (c)
           [mul] y = Mul (\(operands))
        }
        """
        let after = Self.fusedHeader + """
        conv_silu (float[1,2,3,3] x) => (float[1,2,3,3] y)
           <float[2] b = {0.25,0.75}, float[2,2,1,1] w = {1.0,2.0,3.0,4.0}>
        {
           [conv] y = swiftinfer.FusedConv (x, w, b) <activation: string = "Silu">
        }

        """
        let (text, _, context) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(text == after)
        #expect(context.fusions == ["conv+bias+silu": 1])
    }

    /// A Sigmoid whose output is read elsewhere too is not a SiLU: nothing is fused into the conv.
    @Test func sigmoidReadTwiceIsNotSilu() throws {
        let before = Self.header + """
        gate (float[1,2,3,3] x) => (float[1,2,3,3] y, float[1,2,3,3] s)
           <float[2,2,1,1] w = {1,2,3,4}>
        {
           [conv] c = Conv (x, w)
           [sigmoid] s = Sigmoid (c)
           [mul] y = Mul (c, s)
        }
        """
        let (_, _, context) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(context.fusions.isEmpty)
    }

    /// ResNet order: relu(conv(x) + b + identity) -> residual_before_activation = 1.
    @Test func convResidualThenRelu() throws {
        let before = Self.header + """
        resnet_tail (float[1,2,3,3] x) => (float[1,2,3,3] y)
           <float[2,2,1,1] w = {1,2,3,4}, float[2] b = {0.25,0.75}>
        {
           [conv] c = Conv (x, w, b)
           [residual] s = Add (x, c)
           [relu] y = Relu (s)
        }
        """
        let after = Self.fusedHeader + """
        resnet_tail (float[1,2,3,3] x) => (float[1,2,3,3] y)
           <float[2] b = {0.25,0.75}, float[2,2,1,1] w = {1.0,2.0,3.0,4.0}>
        {
           [conv] y = swiftinfer.FusedConv (x, w, b, x) <activation: string = "Relu", has_residual: int = 1, residual_before_activation: int = 1>
        }

        """
        let (text, _, context) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(text == after)
        #expect(context.fusions == ["conv+bias+add+relu": 1])
    }

    /// Gemm (beta 2, C [3]) + Add [3] + LeakyRelu + residual Add after the activation:
    /// C' = beta*C + k = 2*[1, 2, 3] + [1, 1, 1] = [3, 5, 7], beta = 1, residual_before_activation = 0.
    @Test func gemmBiasLeakyReluThenResidual() throws {
        let before = Self.header + """
        gemm_tail (float[2,4] x, float[2,3] r) => (float[2,3] y)
           <float[4,3] w = {1,0,0,0,1,0,0,0,1,1,1,1}, float[3] c = {1,2,3}, float[3] k = {1,1,1}>
        {
           [fc] h = Gemm <beta: float = 2> (x, w, c)
           [bias] d = Add (h, k)
           [act] a = LeakyRelu <alpha: float = 0.125> (d)
           [residual] y = Add (a, r)
        }
        """
        let after = Self.fusedHeader + """
        gemm_tail (float[2,4] x, float[2,3] r) => (float[2,3] y)
           <float[3] c_fused = {3.0,5.0,7.0}, float[4,3] w = {1.0,0.0,0.0,0.0,1.0,0.0,0.0,0.0,1.0,1.0,1.0,1.0}>
        {
           [fc] y = swiftinfer.FusedGemm (x, w, c_fused, r) <activation: string = "LeakyRelu", activation_params: floats = [0.125], beta: float = 1.0, has_residual: int = 1, residual_before_activation: int = 0>
        }

        """
        let (text, _, context) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(text == after)
        #expect(context.fusions == ["gemm+bias+leakyrelu+add": 1])
    }

    /// Batched MatMul + bias + Clip(0, 6) (ReLU6, opset-11+ constant bounds) -> FusedMatMul.
    @Test func matMulBiasClip() throws {
        let before = Self.header + """
        mm_clip (float[2,3,4] x) => (float[2,3,2] y)
           <float[4,2] w = {1,2,3,4,5,6,7,8}, float[2] k = {0.5,-0.5}, float lo = {0}, float hi = {6}>
        {
           [mm] h = MatMul (x, w)
           [bias] d = Add (k, h)
           [clip] y = Clip (d, lo, hi)
        }
        """
        let after = Self.fusedHeader + """
        mm_clip (float[2,3,4] x) => (float[2,3,2] y)
           <float[4,2] w = {1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0}, float[2] w_bias_fused = {0.5,-0.5}>
        {
           [mm] y = swiftinfer.FusedMatMul (x, w, w_bias_fused) <activation: string = "Clip", activation_params: floats = [0.0, 6.0]>
        }

        """
        let (text, _, context) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(text == after)
        #expect(context.fusions == ["matmul+bias+clip": 1])
    }

    /// A 2-D MatMul with only a bias needs no custom op: it becomes Gemm with C.
    @Test func matMulBiasOnlyBecomesGemm() throws {
        let before = Self.header + """
        mm_bias (float[3,4] x) => (float[3,2] y)
           <float[4,2] w = {1,2,3,4,5,6,7,8}, float[2] k = {0.5,-0.5}>
        {
           [mm] h = MatMul (x, w)
           [bias] y = Add (h, k)
        }
        """
        let after = Self.header + """
        mm_bias (float[3,4] x) => (float[3,2] y)
           <float[4,2] w = {1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0}, float[2] w_bias_fused = {0.5,-0.5}>
        {
           [mm] y = Gemm (x, w, w_bias_fused)
        }

        """
        let (text, _, _) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(text == after)
    }

    /// The Conv output is also a graph output: nothing fuses, and --explain says why.
    @Test func exportedIntermediateIsDeclined() throws {
        let before = Self.header + """
        exported (float[1,2,3,3] x) => (float[1,2,3,3] c, float[1,2,3,3] y)
           <float[2,2,1,1] w = {1,2,3,4}>
        {
           [conv] c = Conv (x, w)
           [relu] y = Relu (c)
        }
        """
        let (_, changed, context) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(!changed)
        #expect(context.declined == [#"fuse-gemm-epilogue: Conv "conv": conv+relu not fused: intermediate "c" is a graph output"#])
    }

    /// Residual of another shape (a broadcast Add) is not a residual: only the Relu fuses.
    @Test func broadcastAddIsNotAResidual() throws {
        let before = Self.header + """
        bcast (float[1,2,3,3] x, float[1,1,3,3] r) => (float[1,2,3,3] y)
           <float[2,2,1,1] w = {1,2,3,4}>
        {
           [conv] c = Conv (x, w)
           [relu] a = Relu (c)
           [add] y = Add (a, r)
        }
        """
        let (text, _, context) = try LinearFusionGolden.run(FuseGemmEpilogue(), on: before)
        #expect(context.fusions == ["conv+relu": 1])
        #expect(text.contains("y = Add (a, r)"))
    }
}
