/// Shape inference for the normalizations that divide by a statistic over axes (see the runtime's
/// Ops/AxisNormalizationLowering.swift): RMSNormalization, LpNormalization, MeanVarianceNormalization.
package enum AxisNormalizationOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("RMSNormalization", since: 23) { ctx in
            let x = try NormalizationOperators.floatInput(ctx, minRank: 1)
            let stash = try ctx.node.int("stash_type", default: 1)
            guard stash == 1 || stash == 11 else {
                throw ctx.error(.invalidModel, "stash_type \(stash) is not supported (expected 1 = float or 11 = double)")
            }
            _ = try ElementwiseOperators.sameDType(ctx, [0, 1], allowed: ElementwiseOperators.floats)
            if let rank = x.rank { _ = try normalizeAxis(try ctx.node.int("axis", default: -1), rank: rank, node: ctx.node) }
            return [x]
        },
        OperatorSchema("LpNormalization", since: 1) { ctx in
            let x = try NormalizationOperators.floatInput(ctx, minRank: 1)
            let p = try ctx.node.int("p", default: 2)
            guard p == 1 || p == 2 else { throw ctx.error(.invalidModel, "p must be 1 or 2, got \(p)") }
            if let rank = x.rank { _ = try normalizeAxis(try ctx.node.int("axis", default: -1), rank: rank, node: ctx.node) }
            return [x]
        },
        OperatorSchema("MeanVarianceNormalization", since: 9) { ctx in
            let x = try NormalizationOperators.floatInput(ctx, minRank: 0)
            if let rank = x.rank {
                for axis in try ctx.node.ints("axes", default: [0, 2, 3]) { _ = try normalizeAxis(axis, rank: rank, node: ctx.node) }
            }
            return [x]
        },
    ]
}
