import InferIR
import InferKernels

/// Runtime bindings for the loss operators (`LossOperators`).
package enum LossLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("NegativeLogLikelihoodLoss") { ctx in try loss(ctx, softmax: false) },
        KernelBinding("SoftmaxCrossEntropyLoss") { ctx in try loss(ctx, softmax: true) },
    ]

    static func loss(_ ctx: KernelContext, softmax: Bool) throws {
        let x = try ctx.input(0), target = try ctx.input(1), weight = ctx.optionalInput(2), out = ctx.outputs[0]
        guard x.rank >= 2, target.shape == [x.shape[0]] + x.shape[2...] else {
            throw ctx.error(.invalidShape, "input \(x.shape) must be [N, C, d1...] and target \(target.shape) [N, d1...]")
        }
        let n = x.shape[0], c = x.shape[1], d = x.shape[2...].reduce(1, *)
        if let weight, weight.shape != [c] || weight.dtype != x.dtype {
            throw ctx.error(.invalidShape, "weight \(weight.type) must be \(x.dtype)[\(c)]")
        }
        let ignoreIndex = ctx.node.hasAttribute("ignore_index") ? try ctx.node.int("ignore_index") : nil
        let targets = target.intValues()
        for t in targets where t != ignoreIndex && (t < 0 || t >= c) {
            throw ctx.error(.invalidShape, "target \(t) is out of range for \(c) classes")
        }
        let reduction: LossReduction = switch try LossOperators.reduction(ctx.shapeContext) {
        case "none": .none
        case "sum": .sum
        default: .mean
        }
        // SoftmaxCrossEntropyLoss is NegativeLogLikelihoodLoss of the log-softmax (its optional second output).
        var logProbabilities = x
        if softmax {
            logProbabilities = ctx.outputs.count > 1 ? ctx.outputs[1] : try Tensor.zeros(x.dtype, shape: x.shape)
        }
        // One spare element so the buffer has an address even when there are no targets.
        try withExtendedLifetime(logProbabilities) { try (targets + [0]).withUnsafeBufferPointer { t in
            switch x.dtype {
            case .float32:
                if softmax { LossFunctionKernels.logSoftmax(x.pointer(as: Float.self), n: n, c: c, d: d, into: logProbabilities.pointer(as: Float.self)) }
                LossFunctionKernels.negativeLogLikelihood(logProbabilities.pointer(as: Float.self), target: t.baseAddress!,
                                                               weight: weight.map { UnsafePointer($0.pointer(as: Float.self)) },
                                                               n: n, c: c, d: d, ignoreIndex: ignoreIndex, reduction: reduction,
                                                               into: out.pointer(as: Float.self))
            case .float64:
                if softmax { LossFunctionKernels.logSoftmax(x.pointer(as: Double.self), n: n, c: c, d: d, into: logProbabilities.pointer(as: Double.self)) }
                LossFunctionKernels.negativeLogLikelihood(logProbabilities.pointer(as: Double.self), target: t.baseAddress!,
                                                               weight: weight.map { UnsafePointer($0.pointer(as: Double.self)) },
                                                               n: n, c: c, d: d, ignoreIndex: ignoreIndex, reduction: reduction,
                                                               into: out.pointer(as: Double.self))
            default: throw ElementwiseLowering.unsupported(ctx, x.dtype)
            }
        } }
    }
}
