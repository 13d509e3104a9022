import InferIR
import InferKernels

/// Runtime bindings for `AxisNormalizationOperators`.
package enum AxisNormalizationLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("RMSNormalization") { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0]
            let (axis, epsilon32) = try AxisNormalizationOperators.rmsNormAttributes(ctx.shapeContext, rank: x.rank)
            let epsilon = Double(epsilon32)
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
            let (axis, p) = try AxisNormalizationOperators.lpNormAttributes(ctx.shapeContext, rank: x.rank)
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
            let reduced = try AxisNormalizationOperators.meanVarianceAxes(ctx.shapeContext, rank: x.rank)
            switch x.dtype {
            case .float32: AxisNormalizers.meanVariance(x.pointer(as: Float.self), shape: x.shape, reduced: reduced, into: y.pointer(as: Float.self))
            case .float64: AxisNormalizers.meanVariance(x.pointer(as: Double.self), shape: x.shape, reduced: reduced, into: y.pointer(as: Double.self))
            default: throw NormalizationLowering.unsupported(ctx, x.dtype)
            }
        },
    ]
}
