import InferIR

/// An ordered list of passes, readable top to bottom. Canonicalization runs to a fixed point
/// before fusion, so fusion sees a tidy graph.
package struct Pipeline: Sendable {
    package enum Stage: Sendable {
        case once(any Pass)
        case fixedPoint([any Pass], maxRounds: Int)
    }

    package let stages: [Stage]

    package static let canonicalize: [any Pass] = canonicalization(keepingQuantizedWeights: false)

    /// Dead code, identities, constants, common subexpressions; before the fusions, the integer
    /// weights of a QDQ model are kept for them (`FoldConstants.keepsQuantizedWeights`).
    static func canonicalization(keepingQuantizedWeights: Bool) -> [any Pass] {
        [EliminateDeadCode(), RemoveIdentities(), FoldConstants(keepingQuantizedWeights: keepingQuantizedWeights),
         EliminateCommonSubexpressions()]
    }

    /// `-O0`: nothing; `-O1`: canonicalize; `-O2`: canonicalize + fuse. With `precision` bf16 or
    /// int8 (at -O1 and -O2), GEMMs with constant weights then become bf16 or int8 ones, last, so they keep
    /// the epilogues the fusions gave them.
    package static func forLevel(_ level: Int, precision: Precision = .fp32) -> Pipeline {
        let reduced: [Stage] = precision == .fp32 ? [] : [.once(ConvertWeightsToReducedPrecision(precision))]
        switch level {
        case ...0: return Pipeline(stages: [])
        case 1: return Pipeline(stages: [.fixedPoint(canonicalize, maxRounds: 8)] + reduced)
        default:
            return Pipeline(stages: [.fixedPoint(canonicalization(keepingQuantizedWeights: true), maxRounds: 8)]
                            + FusionPasses.all.map { .once($0) }
                            + [.fixedPoint(canonicalize, maxRounds: 4)] + reduced)
        }
    }
}

/// The fusion passes, in the order they run: QDQ convolutions and residual adds to integer ones, BatchNorm folded into weights, then the
/// transformer patterns (LayerNorm, GELU, attention — before transposes become GEMM flags,
/// so attention still sees MatMul(Q, Transpose(K))), then the GEMM/conv epilogues (after
/// `fuse-gelu`, so a GELU it built fuses into its MatMul), and last the leftover elementwise
/// chains, so they never break up a larger pattern.
package enum FusionPasses {
    package static let all: [any Pass] = [
        // First: the other fusions would take a QDQ convolution's float Conv.
        FuseQuantizedConvolution(),
        // Before fuse-elementwise, which would take the float Add.
        FuseQuantizedAdd(),
        FoldBatchNorm(),
        // Before fuse-elementwise, which would otherwise take the chain's Cast and Mul.
        FuseDynamicQuantizedMatMul(),
        FuseLayerNorm(),
        FuseGelu(),
        FuseAttention(),
        FoldTransposeIntoGemm(),
        FuseGemmEpilogue(),
        FuseElementwise(),
    ]
}
