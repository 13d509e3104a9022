/// Shape inference for the normalizations that divide by a statistic over axes (see the runtime's
/// Lowering/AxisNormalizationLowering.swift, which takes the attributes from the resolvers here): RMSNormalization, LpNormalization, MeanVarianceNormalization.
package enum AxisNormalizationOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("RMSNormalization", since: 23) { ctx in
            let x = try NormalizationOperators.floatInput(ctx, minRank: 1)
            let stash = try ctx.node.int("stash_type", default: 1)
            guard stash == 1 || stash == 11 else {
                throw ctx.error(.invalidModel, "stash_type \(stash) is not supported (expected 1 = float or 11 = double)")
            }
            _ = try ElementwiseOperators.sameDType(ctx, [0, 1], allowed: ElementwiseOperators.floats)
            if let rank = x.rank { _ = try rmsNormAttributes(ctx, rank: rank) }
            return [x]
        },
        OperatorSchema("LpNormalization", since: 1) { ctx in
            let x = try NormalizationOperators.floatInput(ctx, minRank: 1)
            if let rank = x.rank { _ = try lpNormAttributes(ctx, rank: rank) } else { _ = try lpNormExponent(ctx) }
            return [x]
        },
        OperatorSchema("MeanVarianceNormalization", since: 9) { ctx in
            let x = try NormalizationOperators.floatInput(ctx, minRank: 0)
            if let rank = x.rank { _ = try meanVarianceAxes(ctx, rank: rank) }
            return [x]
        },
    ]

    /// RMSNormalization's `axis` (normalized for `rank`) and `epsilon`.
    package static func rmsNormAttributes(_ ctx: ShapeContext, rank: Int) throws -> (axis: Int, epsilon: Float) {
        (try normalizeAxis(ctx.node.int("axis", default: -1), rank: rank, node: ctx.node), try NormalizationOperators.epsilon(ctx))
    }

    /// LpNormalization's `axis` (normalized for `rank`) and `p` (1 or 2).
    package static func lpNormAttributes(_ ctx: ShapeContext, rank: Int) throws -> (axis: Int, p: Int) {
        let p = try lpNormExponent(ctx)
        return (try normalizeAxis(ctx.node.int("axis", default: -1), rank: rank, node: ctx.node), p)
    }

    private static func lpNormExponent(_ ctx: ShapeContext) throws -> Int {
        let p = try ctx.node.int("p", default: 2)
        guard p == 1 || p == 2 else { throw ctx.error(.invalidModel, "p must be 1 or 2, got \(p)") }
        return p
    }

    /// MeanVarianceNormalization's `axes` (default [0, 2, 3]) as one flag per dim of a `rank`-D input.
    package static func meanVarianceAxes(_ ctx: ShapeContext, rank: Int) throws -> [Bool] {
        var reduced = [Bool](repeating: false, count: rank)
        for axis in try ctx.node.ints("axes", default: [0, 2, 3]) { reduced[try normalizeAxis(axis, rank: rank, node: ctx.node)] = true }
        return reduced
    }
}
