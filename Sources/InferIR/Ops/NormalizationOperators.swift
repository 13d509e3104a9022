/// Shape inference for the Normalization family (see the runtime's Lowering/NormalizationLowering.swift):
/// Softmax, LogSoftmax, LayerNormalization, BatchNormalization, InstanceNormalization,
/// GroupNormalization, LRN.
package enum NormalizationOperators {
    package static let schemas: [OperatorSchema] = [
        softmax("Softmax"), softmax("LogSoftmax"), layerNorm, batchNorm, instanceNorm, groupNorm, lrn,
    ]

    static func checkFloat(_ dtype: DType, _ ctx: ShapeContext) throws {
        guard dtype.isFloatingPoint else {
            throw ctx.error(.unsupportedDType, "input type \(dtype) is not supported (expected float or double)")
        }
    }

    /// The input's type after checking it is a float tensor of at least `minRank`.
    static func floatInput(_ ctx: ShapeContext, minRank: Int) throws -> ValueType {
        let x = try ctx.type(0)
        try checkFloat(x.dtype, ctx)
        if let rank = x.rank, rank < minRank {
            throw ctx.error(.invalidShape, "input must have rank >= \(minRank), got \(rank)")
        }
        return x
    }

    /// Checks that an optional per-channel (or per-something) parameter input has `count` elements
    /// and the input's dtype, when its shape is known.
    static func checkParameter(_ ctx: ShapeContext, _ i: Int, name: String, dtype: DType, count: Int?) throws {
        guard ctx.hasInput(i) else { return }
        let t = try ctx.type(i)
        guard t.dtype == dtype else {
            throw ctx.error(.dtypeMismatch, "\(name) is \(t.dtype) but the input is \(dtype)")
        }
        if let count, let dims = t.staticDims, dims.reduce(1, *) != count {
            throw ctx.error(.invalidShape, "\(name) has shape \(dims), expected \(count) elements")
        }
    }

    static func softmax(_ name: String) -> OperatorSchema {
        OperatorSchema(name, since: 1) { ctx in
            let x = try floatInput(ctx, minRank: 0)
            if let rank = x.rank { _ = try softmaxAxis(ctx, rank: rank) }
            return [x]
        }
    }

    /// Softmax's, LogSoftmax's and Hardmax's `axis`, normalized for `rank`: default 1 before opset 13
    /// (where it splits a 2-D coercion), -1 from 13 on.
    package static func softmaxAxis(_ ctx: ShapeContext, rank: Int) throws -> Int {
        try normalizeAxis(ctx.node.int("axis", default: ctx.opset < 13 ? 1 : -1), rank: rank, node: ctx.node)
    }

    static let layerNorm = OperatorSchema("LayerNormalization", since: 17) { ctx in
        let x = try floatInput(ctx, minRank: 1)
        let stash = try ctx.node.int("stash_type", default: 1)
        guard let stashType = DType(onnxCode: stash), stashType.isFloatingPoint else {
            throw ctx.error(.invalidModel, "stash_type \(stash) is not supported (expected 1 = float or 11 = double)")
        }
        guard ctx.node.outputs.count <= 3 else { throw ctx.error(.invalidModel, "at most 3 outputs, got \(ctx.node.outputs.count)") }
        guard let shape = x.shape else {
            return [x] + Array(repeating: ValueType(dtype: stashType, shape: nil), count: ctx.node.outputs.count - 1)
        }
        let (axis, _) = try layerNormAttributes(ctx, rank: shape.count)
        _ = try ctx.type(1)  // Scale is required
        for (i, name) in [(1, "Scale"), (2, "B")] where ctx.hasInput(i) {
            let p = try ctx.type(i)
            guard p.dtype == x.dtype else { throw ctx.error(.dtypeMismatch, "\(name) is \(p.dtype) but X is \(x.dtype)") }
            if let pDims = p.staticDims, let xDims = x.staticDims {
                let normalized = Array(xDims[axis...])
                guard Broadcasting.shape(normalized, pDims) == normalized else {
                    throw ctx.error(.invalidShape, "\(name) of shape \(pDims) does not broadcast to the normalized shape \(normalized)")
                }
            }
        }
        let statsShape = shape.enumerated().map { $0.offset < axis ? $0.element : Dim.value(1) }
        let stats = ValueType(dtype: stashType, shape: statsShape)
        return [x] + Array(repeating: stats, count: max(ctx.node.outputs.count - 1, 0))
    }

    /// LayerNormalization's `axis` (normalized for `rank`) and `epsilon`.
    package static func layerNormAttributes(_ ctx: ShapeContext, rank: Int) throws -> (axis: Int, epsilon: Float) {
        (try normalizeAxis(ctx.node.int("axis", default: -1), rank: rank, node: ctx.node), try epsilon(ctx))
    }

    /// BatchNormalization-1/6 add `is_test` (required 1; `consumed_inputs` is ignored), -1/6/7
    /// `spatial` (0: parameters per element of C x D1 x ...), -14 `training_mode`.
    static let batchNorm = OperatorSchema("BatchNormalization", since: 1) { ctx in
        let x = try floatInput(ctx, minRank: 2)
        if ctx.node.outputs.dropFirst().contains(where: { !$0.isEmpty }) {
            throw ctx.error(.unsupportedFeature, "the training outputs (running mean/var, saved mean/var) are not supported")
        }
        let (spatial, _) = try batchNormAttributes(ctx)
        let dims = x.staticDims
        let count: Int? = dims.map { spatial ? $0[1] : $0.dropFirst().reduce(1, *) }
        for (i, name) in [(1, "scale"), (2, "B"), (3, "input_mean"), (4, "input_var")] {
            _ = try ctx.type(i)
            // Opset 15 lets mean/var be another float type; we require the input's.
            try checkParameter(ctx, i, name: name, dtype: x.dtype, count: count)
        }
        return [x]
    }

    /// BatchNormalization's attributes, for the shape function and the lowering: `spatial`
    /// (before opset 9; false means parameters per element of C x D1 x ...) and `epsilon`,
    /// after refusing training mode.
    package static func batchNormAttributes(_ ctx: ShapeContext) throws -> (spatial: Bool, epsilon: Float) {
        try requireInferenceMode(ctx.node, opset: ctx.opset)
        let spatial = ctx.opset < 9 ? try ctx.node.int("spatial", default: 1) != 0 : true
        return (spatial, try epsilon(ctx))
    }

    /// The `epsilon` of the normalizations (default 1e-5), refused when negative or not finite.
    package static func epsilon(_ ctx: ShapeContext) throws -> Float {
        let epsilon = try ctx.node.float("epsilon", default: 1e-5)
        guard epsilon.isFinite, epsilon >= 0 else { throw ctx.error(.invalidModel, "epsilon must be finite and non-negative, got \(epsilon)") }
        return epsilon
    }

    /// Training mode is not supported: BatchNormalization's `training_mode` = 1 (opset 14+), or
    /// before opset 7 BatchNormalization's and Dropout's `is_test` = 0 (its default).
    package static func requireInferenceMode(_ node: Node, opset: Int) throws {
        if opset >= 14, try node.int("training_mode", default: 0) != 0 {
            throw InferError.at(node, opset: opset, .unsupportedFeature, "training_mode = 1 is not supported (inference only)")
        }
        if opset < 7, try node.int("is_test", default: 0) == 0 {
            throw InferError.at(node, opset: opset, .unsupportedFeature,
                                "is_test = 0 (training mode, the default before opset 7) is not supported (inference only)")
        }
    }

    static let instanceNorm = OperatorSchema("InstanceNormalization", since: 1) { ctx in
        let x = try floatInput(ctx, minRank: 2)
        _ = try epsilon(ctx)
        let channels = x.staticDims?[1]
        for (i, name) in [(1, "scale"), (2, "B")] {
            _ = try ctx.type(i)
            try checkParameter(ctx, i, name: name, dtype: x.dtype, count: channels)
        }
        return [x]
    }

    /// GroupNormalization: opset 18 has scale/bias per group, opset 21 per channel.
    static let groupNorm = OperatorSchema("GroupNormalization", since: 18) { ctx in
        let x = try floatInput(ctx, minRank: 2)
        let groups = try groupCount(ctx)
        _ = try epsilon(ctx)
        var expected: Int? = ctx.opset < 21 ? groups : nil
        if let channels = x.staticDims?[1] {
            guard channels % groups == 0 else {
                throw ctx.error(.invalidShape, "\(channels) channels do not split into \(groups) groups")
            }
            if ctx.opset >= 21 { expected = channels }
        }
        for (i, name) in [(1, "scale"), (2, "bias")] {
            _ = try ctx.type(i)
            try checkParameter(ctx, i, name: name, dtype: x.dtype, count: expected)
        }
        return [x]
    }

    /// GroupNormalization's `num_groups`, refused unless positive.
    package static func groupCount(_ ctx: ShapeContext) throws -> Int {
        let groups = try ctx.node.int("num_groups")
        guard groups > 0 else { throw ctx.error(.invalidModel, "num_groups must be positive, got \(groups)") }
        return groups
    }

    static let lrn = OperatorSchema("LRN", since: 1) { ctx in
        let x = try floatInput(ctx, minRank: 2)
        _ = try lrnAttributes(ctx)
        return [x]
    }

    /// LRN's window `size` (positive) and its alpha, beta and bias.
    package static func lrnAttributes(_ ctx: ShapeContext) throws -> (size: Int, alpha: Float, beta: Float, bias: Float) {
        let size = try ctx.node.int("size")
        guard size > 0 else { throw ctx.error(.invalidModel, "size must be positive, got \(size)") }
        return (size, try ctx.node.float("alpha", default: 1e-4), try ctx.node.float("beta", default: 0.75),
                try ctx.node.float("bias", default: 1))
    }
}
