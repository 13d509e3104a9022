import Foundation
import InferIR
import InferKernels

/// Runtime bindings for LinearAttention and CausalConvWithState (opset 27, `LinearRecurrenceOperators`),
/// following the ONNX reference (onnx/reference/ops/op_linear_attention.py, op_causal_conv_with_state.py).
/// Float32 computes in Float like the reference; float64 in Double.
package enum LinearRecurrenceLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding.prepared("LinearAttention") { ctx in try linearAttention(ctx) },
        KernelBinding.prepared("CausalConvWithState") { ctx in try causalConv(ctx) },
    ]

    static func linearAttention(_ ctx: KernelContext) throws -> PreparedKernel {
        let shapes = ctx.shapeContext
        let rule = try LinearAttentionRule(shapes)
        guard let l = try LinearAttentionLayout(shapes, rule) else { throw ctx.error(.invalidShape, "input shapes are unknown") }
        let geometry = LinearAttentionKernel.Geometry(batch: l.batch, length: l.length, qHeads: l.qHeads, kvHeads: l.kvHeads,
                                                      keySize: l.keySize, valueSize: l.valueSize,
                                                      decayWidth: l.decayWidth, betaWidth: l.betaWidth)
        let scale = rule.scale == 0 ? 1 / Double(max(l.keySize, 1)).squareRoot() : Double(rule.scale)
        let q = try ctx.input(0), k = try ctx.input(1), v = try ctx.input(2)
        let past = ctx.optionalInput(3), decay = ctx.optionalInput(4), beta = ctx.optionalInput(5)
        try sameDType(ctx, [q, k, v, past, decay, beta])
        let output = ctx.outputs[0], threads = ctx.threads
        let present = ctx.outputs.count > 1 ? ctx.outputs[1] : Tensor(zeros: q.dtype, shape: [l.batch, l.kvHeads, l.keySize, l.valueSize])
        func typed<T: ElementFloat & TensorScalar>(_: T.Type) -> PreparedKernel {
            return {
                let state = present.pointer(as: T.self), count = present.count
                if let past { state.update(from: past.pointer(as: T.self), count: count) } else { state.update(repeating: 0, count: count) }
                LinearAttentionKernel.run(query: q.pointer(as: T.self), key: k.pointer(as: T.self), value: v.pointer(as: T.self),
                                          decay: decay.map { UnsafePointer($0.pointer(as: T.self)) },
                                          beta: beta.map { UnsafePointer($0.pointer(as: T.self)) }, scale: T(scale),
                                          state: state, output: output.pointer(as: T.self), geometry, threads: threads)
            }
        }
        switch q.dtype {
        case .float32: return typed(Float.self)
        case .float64: return typed(Double.self)
        default: throw ctx.error(.unsupportedDType, "LinearAttention supports float32 and float64, got \(q.dtype)")
        }
    }

    static func causalConv(_ ctx: KernelContext) throws -> PreparedKernel {
        let shapes = ctx.shapeContext
        let silu = try CausalConvActivation(ctx.node, ctx.error).silu
        guard let l = try CausalConvLayout(shapes) else { throw ctx.error(.invalidShape, "input shapes are unknown") }
        let x = try ctx.input(0), w = try ctx.input(1), bias = ctx.optionalInput(2), past = ctx.optionalInput(3)
        try sameDType(ctx, [x, w, bias, past])
        let output = ctx.outputs[0], threads = ctx.threads
        let present = ctx.outputs.count > 1 ? ctx.outputs[1] : Tensor(zeros: x.dtype, shape: [l.batch, l.channels, l.kernelSize - 1])
        func typed<T: ElementFloat & TensorScalar>(_: T.Type) -> PreparedKernel {
            return {
                CausalConvolutionKernel.run(input: x.pointer(as: T.self), weight: w.pointer(as: T.self),
                                            bias: bias.map { UnsafePointer($0.pointer(as: T.self)) },
                                            past: past.map { UnsafePointer($0.pointer(as: T.self)) },
                                            output: output.pointer(as: T.self), present: present.pointer(as: T.self),
                                            batch: l.batch, channels: l.channels, length: l.length,
                                            kernelSize: l.kernelSize, silu: silu, threads: threads)
            }
        }
        switch x.dtype {
        case .float32: return typed(Float.self)
        case .float64: return typed(Double.self)
        default: throw ctx.error(.unsupportedDType, "CausalConvWithState supports float32 and float64, got \(x.dtype)")
        }
    }

    /// Every present input must share the first one's dtype (the kernels read them as one type).
    private static func sameDType(_ ctx: KernelContext, _ tensors: [Tensor?]) throws {
        let present = tensors.compactMap { $0 }
        guard let first = present.first, present.allSatisfy({ $0.dtype == first.dtype }) else {
            throw ctx.error(.dtypeMismatch, "inputs must share one type, got \(present.map(\.dtype))")
        }
    }
}
