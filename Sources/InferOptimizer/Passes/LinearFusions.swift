/// Fusions around GEMM and convolution, in the order they run: fold per-channel affine maps
/// into the weights first (so BatchNorm never reaches the epilogue), then turn Transposes into
/// GEMM flags (so the epilogue sees the final GEMM), then fuse bias + activation + residual.
package enum LinearFusions {
    package static let passes: [any Pass] = [
        FoldBatchNorm(),
        FoldTransposeIntoGemm(),
        FuseGemmEpilogue(),
    ]
}
