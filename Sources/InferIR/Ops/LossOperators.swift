/// Shape inference for the loss operators (see the runtime's Lowering/LossLowering.swift):
/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, input `[N, C, d1...]`, target `[N, d1...]`.
package enum LossOperators {
    package static let schemas: [OperatorSchema] = [
        loss("NegativeLogLikelihoodLoss"),
        loss("SoftmaxCrossEntropyLoss"),
    ]

    /// `reduction`: "none" gives the target's shape, "sum" and "mean" (the default) a scalar.
    /// SoftmaxCrossEntropyLoss's optional second output is the log-probabilities, shaped like the input.
    static func loss(_ name: String) -> OperatorSchema {
        OperatorSchema(name, since: 12) { ctx in
            let x = try ctx.type(0), target = try ctx.type(1)
            try ElementwiseOperators.require(ctx, x.dtype, in: ElementwiseOperators.floats, "input")
            try ElementwiseOperators.require(ctx, target.dtype, in: [.int32, .int64], "target")
            if ctx.hasInput(2) { _ = try ElementwiseOperators.sameDType(ctx, [0, 2], allowed: ElementwiseOperators.floats) }
            if let xs = x.shape, let ts = target.shape {
                guard xs.count >= 2, ts.count == xs.count - 1 else {
                    throw ctx.error(.invalidShape, "input \(x) must be [N, C, d1...] and target \(target) [N, d1...]")
                }
            }
            let loss = ValueType(dtype: x.dtype, shape: try reduction(ctx) == "none" ? target.shape : [])
            return ctx.node.outputs.count > 1 ? [loss, x] : [loss]
        }
    }

    /// `reduction`: "none", "sum" or "mean" (the default).
    package static func reduction(_ ctx: ShapeContext) throws -> String {
        let reduction = try ctx.node.string("reduction", default: "mean")
        guard ["none", "sum", "mean"].contains(reduction) else {
            throw ctx.error(.invalidModel, "reduction must be none, sum or mean, not \"\(reduction)\"")
        }
        return reduction
    }
}
