import Testing
@testable import InferIR
@testable import InferOptimizer

/// Golden before/after tests of `fold-transpose-into-gemm`. Expected texts were produced by the
/// pass and reviewed: each Transpose is gone, its consumer reads the Transpose's input, and the
/// flag of that operand flipped (matmul(Aᵀ, B) = Gemm transA=1 over A's own layout).
@Suite struct LinearFusionTransposeTests {
    static let header = """
    <
       ir_version: 8,
       opset_import: ["" : 17]
    >

    """

    /// 2-D MatMul(Transpose(a), b) becomes Gemm with transA = 1.
    @Test func matMulOf2DTransposeBecomesGemm() throws {
        let before = Self.header + """
        mm2d (float[3,2] a, float[3,4] b) => (float[2,4] y) {
           [t] at = Transpose <perm: ints = [1, 0]> (a)
           [mm] y = MatMul (at, b)
        }
        """
        let after = Self.header + """
        mm2d (float[3,2] a, float[3,4] b) => (float[2,4] y)
        {
           [mm] y = Gemm (a, b) <transA: int = 1>
        }

        """
        let (text, _, context) = try LinearFusionGolden.run(FoldTransposeIntoGemm(), on: before)
        #expect(text == after)
        #expect(context.fusions == ["transpose+matmul": 1])
    }

    /// Batched MatMul(a, Transpose(b, perm [0, 2, 1])) becomes swiftinfer.FusedMatMul with transB = 1.
    @Test func batchedMatMulBecomesFusedMatMul() throws {
        let before = Self.header + """
        mm3d (float[2,3,4] a, float[2,5,4] b) => (float[2,3,5] y) {
           [t] bt = Transpose <perm: ints = [0, 2, 1]> (b)
           [mm] y = MatMul (a, bt)
        }
        """
        let after = """
        <
           ir_version: 8,
           opset_import: ["" : 17, "swiftinfer" : 1]
        >
        mm3d (float[2,3,4] a, float[2,5,4] b) => (float[2,3,5] y)
        {
           [mm] y = swiftinfer.FusedMatMul (a, b) <transB: int = 1>
        }

        """
        let (text, _, _) = try LinearFusionGolden.run(FoldTransposeIntoGemm(), on: before)
        #expect(text == after)
    }

    /// Gemm(Transpose(a), w, transB = 1) flips transA and keeps transB.
    @Test func gemmFlagFlips() throws {
        let before = Self.header + """
        gemm_t (float[3,2] a, float[4,3] w) => (float[2,4] y) {
           [t] at = Transpose (a)
           [fc] y = Gemm <transB: int = 1> (at, w)
        }
        """
        let after = Self.header + """
        gemm_t (float[3,2] a, float[4,3] w) => (float[2,4] y)
        {
           [fc] y = Gemm (a, w) <transA: int = 1, transB: int = 1>
        }

        """
        let (text, _, _) = try LinearFusionGolden.run(FoldTransposeIntoGemm(), on: before)
        #expect(text == after)
    }

    /// A perm that moves a batch dim is not a GEMM flag.
    @Test func otherPermIsDeclined() throws {
        let before = Self.header + """
        perm (float[3,2,4] a, float[2,4,5] b) => (float[2,3,5] y) {
           [t] at = Transpose <perm: ints = [1, 0, 2]> (a)
           [mm] y = MatMul (at, b)
        }
        """
        let (_, changed, context) = try LinearFusionGolden.run(FoldTransposeIntoGemm(), on: before)
        #expect(!changed)
        #expect(context.declined.first?.contains("does not swap the last two dims") == true)
    }
}
