import InferIR
import InferKernels

/// Runtime bindings for `TensorAlgebraOperators` (Einsum and Det, computed in Double).
package enum TensorAlgebraLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("Einsum") { ctx in
            let inputs = try (0..<ctx.inputs.count).map { try ctx.input($0) }
            let plan = try TensorAlgebraOperators.einsumPlan(ctx.shapeContext, shapes: inputs.map(\.shape))
            let buffers = inputs.map { Tensor(shape: [$0.count + 1], exactly: $0.doubleValues() + [0]) }
            let out = try Tensor.zeros(.float64, shape: [ctx.outputs[0].count + 1])
            withExtendedLifetime(buffers) {
                EinsteinSum.run(operands: buffers.map { UnsafePointer($0.pointer(as: Double.self)) }, shapes: inputs.map(\.shape),
                                labels: plan.labels, sizes: plan.sizes, outputLabels: plan.outputLabels, into: out.pointer(as: Double.self))
            }
            try storeDoubles(Array(out.doubleValues().dropLast()), into: ctx.outputs[0], ctx)
        },
        KernelBinding("Det") { ctx in
            let x = try ctx.input(0)
            guard x.rank >= 2, x.shape[x.rank - 1] == x.shape[x.rank - 2] else {
                throw ctx.error(.invalidShape, "input must be [*, M, M], got \(x.shape)")
            }
            let n = x.shape[x.rank - 1], count = x.shape.dropLast(2).reduce(1, *)
            let values = try Tensor(shape: [x.count + 1], scalars: x.doubleValues() + [0])
            let out = try Tensor.zeros(.float64, shape: [count + 1])
            withExtendedLifetime(values) {
                Determinant.run(values.pointer(as: Double.self), count: count, n: n, into: out.pointer(as: Double.self))
            }
            try storeDoubles(Array(out.doubleValues().dropLast()), into: ctx.outputs[0], ctx)
        },
    ]
}
