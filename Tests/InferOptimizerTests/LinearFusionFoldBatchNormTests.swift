import Testing
@testable import InferIR
@testable import InferOptimizer

/// Golden before/after tests of `fold-batchnorm`. The numbers are chosen so the folded weights
/// are exact and checkable by hand (see each comment); the expected texts were produced by the
/// pass and then checked value by value against those hand computations.
@Suite struct LinearFusionFoldBatchNormTests {
    /// s = gamma / sqrt(var + eps) = [4/sqrt(4), 3/sqrt(1)] = [2, 3];
    /// W' = W * s[c] = [1*2, 2*2, 3*3, 4*3] = [2, 4, 9, 12];
    /// b' = (b - mean) * s + beta = [(1-1)*2+0.5, (2+1)*3+0] = [0.5, 9].
    static let convBN = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    conv_bn (float[1,2,3,3] x) => (float[1,2,3,3] y)
       <float[2,2,1,1] w = {1,2,3,4}, float[2] b = {1,2}, float[2] gamma = {4,3}, float[2] beta = {0.5,0},
        float[2] mean = {1,-1}, float[2] var = {3,0}>
    {
       [conv] c = Conv (x, w, b)
       [bn] y = BatchNormalization <epsilon: float = 1> (c, gamma, beta, mean, var)
    }
    """

    static let convBNFolded = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    conv_bn (float[1,2,3,3] x) => (float[1,2,3,3] y)
       <float[2] b_folded = {0.5,9.0}, float[2,2,1,1] w_folded = {2.0,4.0,9.0,12.0}>
    {
       [conv] y = Conv (x, w_folded, b_folded)
    }

    """

    @Test func convBatchNormFoldsIntoWeightsAndBias() throws {
        let (text, changed, context) = try LinearFusionGolden.run(FoldBatchNorm(), on: Self.convBN)
        #expect(changed)
        #expect(text == Self.convBNFolded)
        #expect(context.fusions == ["conv+bn": 1])
    }

    /// Gemm then Mul by k = [2, -1] then Add [0.5, 0.5] (per column):
    /// W' = W * k per column = [1*2, 2*-1, 3*2, 4*-1, 5*2, 6*-1] = [2, -2, 6, -4, 10, -6];
    /// C' = beta*C*k = 2*[1, 1]*[2, -1] = [4, -2], then + [0.5, 0.5] = [4.5, -1.5]; beta becomes 1.
    static let gemmMulAdd = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    gemm_mul_add (float[2,3] x) => (float[2,2] y)
       <float[3,2] w = {1,2,3,4,5,6}, float[2] c = {1,1}, float[2] k = {2,-1}, float[1,2] d = {0.5,0.5}>
    {
       [fc] h = Gemm <beta: float = 2> (x, w, c)
       [scale] m = Mul (h, k)
       [shift] y = Add (d, m)
    }
    """

    static let gemmMulAddFolded = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    gemm_mul_add (float[2,3] x) => (float[2,2] y)
       <float[2] c_folded_1 = {4.5,-1.5}, float[3,2] w_folded_1 = {2.0,-2.0,6.0,-4.0,10.0,-6.0}>
    {
       [fc] y = Gemm (x, w_folded_1, c_folded_1) <beta: float = 1.0>
    }

    """

    @Test func gemmMulAndAddFoldIntoWeightsAndC() throws {
        let (text, _, context) = try LinearFusionGolden.run(FoldBatchNorm(), on: Self.gemmMulAdd)
        #expect(text == Self.gemmMulAddFolded)
        #expect(context.fusions == ["gemm+mul": 1, "gemm+add": 1])
    }

    /// The Conv output is also read by a Relu: folding would change what the Relu sees.
    static let sharedIntermediate = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >
    shared (float[1,2,3,3] x) => (float[1,2,3,3] y, float[1,2,3,3] z)
       <float[2,2,1,1] w = {1,2,3,4}, float[2] gamma = {4,3}, float[2] beta = {0.5,0},
        float[2] mean = {1,-1}, float[2] var = {3,0}>
    {
       [conv] c = Conv (x, w)
       [bn] y = BatchNormalization (c, gamma, beta, mean, var)
       [relu] z = Relu (c)
    }
    """

    @Test func sharedIntermediateIsDeclined() throws {
        let (_, changed, context) = try LinearFusionGolden.run(FoldBatchNorm(), on: Self.sharedIntermediate)
        #expect(!changed)
        #expect(context.declined == [#"fold-batchnorm: BatchNormalization "bn": conv+bn not fused: "c" has 2 readers"#])
    }

    /// Non-constant BatchNorm statistics (a graph input) cannot be folded.
    @Test func nonConstantStatisticsAreDeclined() throws {
        let text = Self.convBN.replacingOccurrences(of: "(float[1,2,3,3] x)", with: "(float[1,2,3,3] x, float[2] mean)")
            .replacingOccurrences(of: "float[2] mean = {1,-1}, ", with: "")
        let (_, changed, context) = try LinearFusionGolden.run(FoldBatchNorm(), on: text)
        #expect(!changed)
        #expect(context.declined == [#"fold-batchnorm: BatchNormalization "bn": conv+bn not fused: its parameters are not constant per-channel float values"#])
    }
}
