import InferIR

/// An ordered list of passes, readable top to bottom. Canonicalization runs to a fixed point
/// before fusion, so fusion sees a tidy graph.
package struct Pipeline: Sendable {
    package enum Stage: Sendable {
        case once(any Pass)
        case fixedPoint([any Pass], maxRounds: Int)
    }

    package let stages: [Stage]

    package static let canonicalize: [any Pass] = [
        EliminateDeadCode(),
        RemoveIdentities(),
        FoldConstants(),
        EliminateCommonSubexpressions(),
    ]

    /// `-O0`: nothing; `-O1`: canonicalize; `-O2`: canonicalize + fuse.
    package static func forLevel(_ level: Int) -> Pipeline {
        switch level {
        case ...0: Pipeline(stages: [])
        case 1: Pipeline(stages: [.fixedPoint(canonicalize, maxRounds: 8)])
        default: Pipeline(stages: [.fixedPoint(canonicalize, maxRounds: 8)] + FusionPasses.all.map { .once($0) }
                           + [.fixedPoint(canonicalize, maxRounds: 4)])
        }
    }
}

/// The fusion passes, in the order they run: BatchNorm folding, then the transformer patterns
/// (LayerNorm, GELU, attention) — attention before transposes fold into GEMM flags, which would
/// turn its Q·Kᵀ MatMul + Transpose into a FusedMatMul it does not match (GPT's causal attention
/// stayed unfused) — then the GEMM/conv epilogues — after `fuse-gelu`, so a GELU it built fuses
/// into its MatMul — and last the leftover elementwise chains, so they never break up a larger pattern.
package enum FusionPasses {
    package static let all: [any Pass] = [
        FoldBatchNorm(),
        FuseLayerNorm(),
        FuseGelu(),
        FuseAttention(),
        FoldTransposeIntoGemm(),
        FuseGemmEpilogue(),
        FuseElementwise(),
    ]
}
