import InferIR
import InferKernels

/// Runtime bindings for `AxisNormalizationOperators`.
package enum AxisNormalizationLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("RMSNormalization") { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0]
            let axis = try normalizeAxis(ctx.node.int("axis", default: -1), rank: x.rank, node: ctx.node)
            let epsilon = Double(try ctx.node.float("epsilon", default: 1e-5))
            let normalizedShape = Array(x.shape[axis...])
            let outer = x.shape[..<axis].reduce(1, *), n = normalizedShape.reduce(1, *)
            let scale = try NormalizationLowering.expanded(try ctx.input(1), to: normalizedShape, ctx, name: "scale")
            guard scale.dtype == x.dtype else { throw ElementwiseLowering.mismatch(ctx, x.dtype, scale.dtype) }
            switch x.dtype {
            case .float32:
                AxisNormalizers.rootMeanSquare(x.pointer(as: Float.self), outer: outer, n: n, epsilon: epsilon,
                                                        scale: scale.pointer(as: Float.self), into: y.pointer(as: Float.self))
            case .float64:
                AxisNormalizers.rootMeanSquare(x.pointer(as: Double.self), outer: outer, n: n, epsilon: epsilon,
                                                        scale: scale.pointer(as: Double.self), into: y.pointer(as: Double.self))
            default: throw NormalizationLowering.unsupported(ctx, x.dtype)
            }
        },
        KernelBinding("LpNormalization") { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0]
            let axis = try normalizeAxis(ctx.node.int("axis", default: -1), rank: x.rank, node: ctx.node)
            let p = try ctx.node.int("p", default: 2)
            guard p == 1 || p == 2 else { throw ctx.error(.invalidModel, "p must be 1 or 2, got \(p)") }
            let (outer, n, inner) = ReductionLowering.split(x.shape, at: axis)
            switch x.dtype {
            case .float32:
                AxisNormalizers.lpNorm(x.pointer(as: Float.self), outer: outer, n: n, inner: inner, p: p, into: y.pointer(as: Float.self))
            case .float64:
                AxisNormalizers.lpNorm(x.pointer(as: Double.self), outer: outer, n: n, inner: inner, p: p, into: y.pointer(as: Double.self))
            default: throw NormalizationLowering.unsupported(ctx, x.dtype)
            }
        },
        KernelBinding("MeanVarianceNormalization") { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0]
            var reduced = [Bool](repeating: false, count: x.rank)
            for axis in try ctx.node.ints("axes", default: [0, 2, 3]) {
                reduced[try normalizeAxis(axis, rank: x.rank, node: ctx.node)] = true
            }
            switch x.dtype {
            case .float32: AxisNormalizers.meanVariance(x.pointer(as: Float.self), shape: x.shape, reduced: reduced, into: y.pointer(as: Float.self))
            case .float64: AxisNormalizers.meanVariance(x.pointer(as: Double.self), shape: x.shape, reduced: reduced, into: y.pointer(as: Double.self))
            default: throw NormalizationLowering.unsupported(ctx, x.dtype)
            }
        },
    ]
}
