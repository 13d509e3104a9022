import InferIR
import InferKernels

/// Runtime bindings for the Normalization family: attributes in, `InferKernels` calls out.
package enum NormalizationLowering {
    package static let bindings: [KernelBinding] = [
        softmax("Softmax", logarithmic: false), softmax("LogSoftmax", logarithmic: true),
        layerNorm, batchNorm, instanceNorm, groupNorm, lrn,
    ]

    static func unsupported(_ ctx: KernelContext, _ dtype: DType) -> InferError {
        ctx.error(.unsupportedDType, "input type \(dtype) is not supported (expected float or double)")
    }

    /// Before opset 13 the input is coerced to 2-D at `axis` (default 1) and each row of the
    /// flattened trailing block is normalized; from 13 on, only the single `axis` (default -1).
    static func softmax(_ name: String, logarithmic: Bool) -> KernelBinding {
        KernelBinding.prepared(name) { ctx in
            let x = try ctx.input(0)
            let legacy = ctx.opset < 13
            let axis = try NormalizationOperators.softmaxAxis(ctx.shapeContext, rank: x.rank)
            let outer = x.shape[..<axis].reduce(1, *)
            let n = legacy ? x.shape[axis...].reduce(1, *) : (x.rank == 0 ? 1 : x.shape[axis])
            let inner = legacy || x.rank == 0 ? 1 : x.shape[(axis + 1)...].reduce(1, *)
            let y = ctx.outputs[0]
            guard x.dtype == .float32 || x.dtype == .float64 else { throw unsupported(ctx, x.dtype) }
            return {
            switch x.dtype {
            case .float32:
                SoftmaxKernel.softmax(x.pointer(as: Float.self), outer: outer, n: n, inner: inner, logarithmic: logarithmic,
                                      into: y.pointer(as: Float.self), threads: ctx.threads)
            case .float64:
                SoftmaxKernel.softmax(x.pointer(as: Double.self), outer: outer, n: n, inner: inner, logarithmic: logarithmic,
                                      into: y.pointer(as: Double.self), threads: ctx.threads)
            default: throw unsupported(ctx, x.dtype)
            }
            }
        }
    }

    /// `t` broadcast (unidirectionally) to `shape` as a fresh contiguous tensor; `t` itself when
    /// it already has that many elements.
    static func expanded(_ t: Tensor, to shape: [Int], _ ctx: KernelContext, name: String) throws -> Tensor {
        let count = shape.reduce(1, *)
        if t.count == count { return t }
        guard t.rank <= shape.count, Broadcasting.shape(shape, t.shape) == shape else {
            throw ctx.error(.invalidShape, "\(name) of shape \(t.shape) does not broadcast to \(shape)")
        }
        let out = try Tensor.zeros(t.dtype, shape: shape)
        let strides = Broadcasting.strides(of: t.shape, broadcastTo: shape)
        let size = t.dtype.byteSize
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<count {
            var offset = 0
            for d in 0..<shape.count { offset += index[d] * strides[d] }
            (out.mutableRawPointer + i * size).copyMemory(from: t.rawPointer + offset * size, byteCount: size)
            var d = shape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }

    /// A parameter input of the input's dtype holding exactly `count` values.
    static func parameter(_ ctx: KernelContext, _ i: Int, name: String, dtype: DType, count: Int) throws -> Tensor {
        let t = try ctx.input(i)
        guard t.dtype == dtype else { throw ctx.error(.dtypeMismatch, "\(name) is \(t.dtype) but the input is \(dtype)") }
        guard t.count == count else {
            throw ctx.error(.invalidShape, "\(name) has shape \(t.shape), expected \(count) elements")
        }
        return t
    }

    /// Prepared: Scale/B broadcast once when constant, stats buffers allocated once.
    static let layerNorm = KernelBinding.prepared("LayerNormalization", prepareLayerNorm)

    static func prepareLayerNorm(_ ctx: KernelContext) throws -> PreparedKernel {
        let x = try ctx.input(0)
        let (axis, epsilon) = try NormalizationOperators.layerNormAttributes(ctx.shapeContext, rank: x.rank)
        let normalizedShape = Array(x.shape[axis...])
        let outer = x.shape[..<axis].reduce(1, *), n = normalizedShape.reduce(1, *)
        // Broadcasting Scale/B copies their values: per run unless they are constants.
        let parametersNeedExpanding = (try ctx.input(1)).count != n || (ctx.optionalInput(2).map { $0.count != n } ?? false)
        if parametersNeedExpanding && !(ctx.inputValuesFixed(1) && ctx.inputValuesFixed(2)) {
            // A context whose inputs all count as fixed: prepared and called at once, every run.
            let everyRun = KernelContext(node: ctx.node, opset: ctx.opset, inputs: ctx.inputs, outputs: ctx.outputs,
                                         threads: ctx.threads)
            return { try prepareLayerNorm(everyRun)() }
        }
        let scale = try expanded(ctx.input(1), to: normalizedShape, ctx, name: "Scale")
        let bias = try ctx.optionalInput(2).map { try expanded($0, to: normalizedShape, ctx, name: "B") }
        for p in [scale, bias].compactMap({ $0 }) where p.dtype != x.dtype {
            throw ctx.error(.dtypeMismatch, "Scale/B are \(p.dtype) but X is \(x.dtype)")
        }
        // Mean / InvStdDev outputs when requested; computed in X's type, converted if stash_type differs.
        func stats(_ k: Int) throws -> Tensor? {
            guard k < ctx.node.outputs.count, !ctx.node.outputs[k].isEmpty, k < ctx.outputs.count else { return nil }
            return ctx.outputs[k].dtype == x.dtype ? ctx.outputs[k] : try Tensor.zeros(x.dtype, shape: ctx.outputs[k].shape)
        }
        let mean = try stats(1), inverseStd = try stats(2)
        let y = ctx.outputs[0]
        guard x.dtype == .float32 || x.dtype == .float64 else { throw unsupported(ctx, x.dtype) }
        let conversions = [(1, mean), (2, inverseStd)].compactMap { k, computed in
            computed.flatMap { ctx.outputs[k].dtype != $0.dtype ? ($0, ctx.outputs[k]) : nil }
        }
        return {
        switch x.dtype {
        case .float32:
            LayerNormKernel.layerNorm(x.pointer(as: Float.self), outer: outer, n: n, epsilon: epsilon,
                                      scale: scale.pointer(as: Float.self), bias: bias?.pointer(as: Float.self),
                                      into: y.pointer(as: Float.self), mean: mean?.pointer(as: Float.self),
                                      inverseStd: inverseStd?.pointer(as: Float.self), threads: ctx.threads)
        case .float64:
            LayerNormKernel.layerNorm(x.pointer(as: Double.self), outer: outer, n: n, epsilon: Double(epsilon),
                                      scale: scale.pointer(as: Double.self), bias: bias?.pointer(as: Double.self),
                                      into: y.pointer(as: Double.self), mean: mean?.pointer(as: Double.self),
                                      inverseStd: inverseStd?.pointer(as: Double.self), threads: ctx.threads)
        default: throw unsupported(ctx, x.dtype)
        }
        for (computed, output) in conversions { convert(computed, into: output) }
        }
    }

    /// Copies float <-> double.
    static func convert(_ src: Tensor, into dst: Tensor) {
        switch (src.dtype, dst.dtype) {
        case (.float64, .float32):
            let s = src.pointer(as: Double.self), d = dst.pointer(as: Float.self)
            for i in 0..<src.count { d[i] = Float(s[i]) }
        case (.float32, .float64):
            let s = src.pointer(as: Float.self), d = dst.pointer(as: Double.self)
            for i in 0..<src.count { d[i] = Double(s[i]) }
        default:
            preconditionFailure("convert \(src.dtype) -> \(dst.dtype)")
        }
    }

    static let batchNorm = KernelBinding.prepared("BatchNormalization") { ctx in
        let x = try ctx.input(0)
        guard x.rank >= 2 else { throw ctx.error(.invalidShape, "input must have rank >= 2, got \(x.rank)") }
        let (spatial, epsilon) = try NormalizationOperators.batchNormAttributes(ctx.shapeContext)
        let batch = x.shape[0], channels = x.shape[1], inner = x.shape[2...].reduce(1, *)
        let perChannel = spatial ? 1 : inner
        let params = try [(1, "scale"), (2, "B"), (3, "input_mean"), (4, "input_var")].map {
            try parameter(ctx, $0.0, name: $0.1, dtype: x.dtype, count: channels * perChannel)
        }
        let y = ctx.outputs[0]
        guard x.dtype == .float32 || x.dtype == .float64 else { throw unsupported(ctx, x.dtype) }
        // Constant parameters (the inference case): fold them into multiplier/offset once.
        if (1...4).allSatisfy({ ctx.inputValuesFixed($0) }) {
            let count = channels * perChannel, threads = ctx.threads
            switch x.dtype {
            case .float32:
                let folded = BatchNormCoefficients<Float>(count: count)
                BatchNormKernel.coefficients(scale: params[0].pointer(as: Float.self), bias: params[1].pointer(as: Float.self),
                                             mean: params[2].pointer(as: Float.self), variance: params[3].pointer(as: Float.self),
                                             count: count, epsilon: epsilon, multiplier: folded.multiplier, offset: folded.offset)
                let src = UnsafePointer(x.pointer(as: Float.self)), dst = y.pointer(as: Float.self)
                return {
                    BatchNormKernel.affine(src, batch: batch, channels: channels, inner: inner, multiplier: folded.multiplier,
                                           offset: folded.offset, paramsPerChannel: perChannel, into: dst, threads: threads)
                }
            default:
                let folded = BatchNormCoefficients<Double>(count: count)
                BatchNormKernel.coefficients(scale: params[0].pointer(as: Double.self), bias: params[1].pointer(as: Double.self),
                                             mean: params[2].pointer(as: Double.self), variance: params[3].pointer(as: Double.self),
                                             count: count, epsilon: Double(epsilon), multiplier: folded.multiplier, offset: folded.offset)
                let src = UnsafePointer(x.pointer(as: Double.self)), dst = y.pointer(as: Double.self)
                return {
                    BatchNormKernel.affine(src, batch: batch, channels: channels, inner: inner, multiplier: folded.multiplier,
                                           offset: folded.offset, paramsPerChannel: perChannel, into: dst, threads: threads)
                }
            }
        }
        return {
        switch x.dtype {
        case .float32:
            BatchNormKernel.batchNorm(x.pointer(as: Float.self), batch: batch, channels: channels, inner: inner,
                                      scale: params[0].pointer(as: Float.self), bias: params[1].pointer(as: Float.self),
                                      mean: params[2].pointer(as: Float.self), variance: params[3].pointer(as: Float.self),
                                      paramsPerChannel: perChannel, epsilon: epsilon, into: y.pointer(as: Float.self),
                                      threads: ctx.threads)
        case .float64:
            BatchNormKernel.batchNorm(x.pointer(as: Double.self), batch: batch, channels: channels, inner: inner,
                                      scale: params[0].pointer(as: Double.self), bias: params[1].pointer(as: Double.self),
                                      mean: params[2].pointer(as: Double.self), variance: params[3].pointer(as: Double.self),
                                      paramsPerChannel: perChannel, epsilon: Double(epsilon), into: y.pointer(as: Double.self),
                                      threads: ctx.threads)
        default: throw unsupported(ctx, x.dtype)
        }
        }
    }

    /// Shared by InstanceNormalization (groups = channels) and GroupNormalization.
    /// `scale`/`bias` must already be per channel.
    static func groupNormalize(_ ctx: KernelContext, groups: Int, scale: Tensor, bias: Tensor, epsilon: Float) throws {
        let x = try ctx.input(0)
        guard x.rank >= 2 else { throw ctx.error(.invalidShape, "input must have rank >= 2, got \(x.rank)") }
        let batch = x.shape[0], channels = x.shape[1], inner = x.shape[2...].reduce(1, *)
        guard groups > 0, channels % groups == 0 else {
            throw ctx.error(.invalidShape, "\(channels) channels do not split into \(groups) groups")
        }
        let y = ctx.outputs[0]
        switch x.dtype {
        case .float32:
            GroupNormKernel.groupNorm(x.pointer(as: Float.self), batch: batch, channels: channels, inner: inner, groups: groups,
                                      scale: scale.pointer(as: Float.self), bias: bias.pointer(as: Float.self),
                                      epsilon: epsilon, into: y.pointer(as: Float.self), threads: ctx.threads)
        case .float64:
            GroupNormKernel.groupNorm(x.pointer(as: Double.self), batch: batch, channels: channels, inner: inner, groups: groups,
                                      scale: scale.pointer(as: Double.self), bias: bias.pointer(as: Double.self),
                                      epsilon: Double(epsilon), into: y.pointer(as: Double.self), threads: ctx.threads)
        default: throw unsupported(ctx, x.dtype)
        }
    }

    static let instanceNorm = KernelBinding("InstanceNormalization") { ctx in
        let x = try ctx.input(0)
        guard x.rank >= 2 else { throw ctx.error(.invalidShape, "input must have rank >= 2, got \(x.rank)") }
        let channels = x.shape[1]
        let scale = try parameter(ctx, 1, name: "scale", dtype: x.dtype, count: channels)
        let bias = try parameter(ctx, 2, name: "B", dtype: x.dtype, count: channels)
        try groupNormalize(ctx, groups: channels, scale: scale, bias: bias,
                           epsilon: NormalizationOperators.epsilon(ctx.shapeContext))
    }

    /// Opset 18 gives scale/bias per group (repeated here over each group's channels); 21 per channel.
    static let groupNorm = KernelBinding("GroupNormalization") { ctx in
        let x = try ctx.input(0)
        guard x.rank >= 2 else { throw ctx.error(.invalidShape, "input must have rank >= 2, got \(x.rank)") }
        let channels = x.shape[1]
        let groups = try NormalizationOperators.groupCount(ctx.shapeContext)
        guard channels % groups == 0 else {
            throw ctx.error(.invalidShape, "\(channels) channels do not split into \(groups) groups")
        }
        var scale = try parameter(ctx, 1, name: "scale", dtype: x.dtype, count: ctx.opset < 21 ? groups : channels)
        var bias = try parameter(ctx, 2, name: "bias", dtype: x.dtype, count: ctx.opset < 21 ? groups : channels)
        if ctx.opset < 21 {
            let perGroup = channels / groups
            scale = try expanded(scale.reshaped(to: [groups, 1]), to: [groups, perGroup], ctx, name: "scale")
            bias = try expanded(bias.reshaped(to: [groups, 1]), to: [groups, perGroup], ctx, name: "bias")
        }
        try groupNormalize(ctx, groups: groups, scale: scale, bias: bias, epsilon: NormalizationOperators.epsilon(ctx.shapeContext))
    }

    static let lrn = KernelBinding("LRN") { ctx in
        let x = try ctx.input(0)
        guard x.rank >= 2 else { throw ctx.error(.invalidShape, "input must have rank >= 2, got \(x.rank)") }
        let (size, alpha, beta, bias) = try NormalizationOperators.lrnAttributes(ctx.shapeContext)
        let batch = x.shape[0], channels = x.shape[1], inner = x.shape[2...].reduce(1, *)
        let y = ctx.outputs[0]
        switch x.dtype {
        case .float32:
            LRNKernel.lrn(x.pointer(as: Float.self), batch: batch, channels: channels, inner: inner, size: size,
                          alpha: alpha, beta: beta, bias: bias, into: y.pointer(as: Float.self))
        case .float64:
            LRNKernel.lrn(x.pointer(as: Double.self), batch: batch, channels: channels, inner: inner, size: size,
                          alpha: Double(alpha), beta: Double(beta), bias: Double(bias), into: y.pointer(as: Double.self))
        default: throw unsupported(ctx, x.dtype)
        }
    }
}

/// BatchNormalization's folded per-channel multiplier and offset, owned by one prepared kernel.
final class BatchNormCoefficients<T>: @unchecked Sendable {
    let multiplier: UnsafeMutablePointer<T>
    let offset: UnsafeMutablePointer<T>

    init(count: Int) {
        multiplier = .allocate(capacity: max(count, 1))
        offset = .allocate(capacity: max(count, 1))
    }

    deinit {
        multiplier.deallocate()
        offset.deallocate()
    }
}
