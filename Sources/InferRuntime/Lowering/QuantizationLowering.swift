import InferIR
import InferKernels

/// Runtime bindings for `QuantizationOperators`: QuantizeLinear, DequantizeLinear,
/// DynamicQuantizeLinear (int8/uint8, int32 for DequantizeLinear's input), the integer
/// products MatMulInteger / ConvInteger and their requantizing QLinear forms, NonMaxSuppression
/// and TfIdfVectorizer.
package enum QuantizationLowering {
    package static let bindings: [KernelBinding] = [
        quantizeLinear, dequantizeLinear, dynamicQuantizeLinear, matMulInteger, qLinearMatMul,
        convInteger, qLinearConv, nonMaxSuppression, tfIdfVectorizer,
    ]

    // MARK: - QuantizeLinear / DequantizeLinear

    /// Per tensor, per axis (opset 13+) or blocked (opset 21+ `block_size`); saturating to the
    /// output's range (`saturate` only matters for float8, out of scope).
    static let quantizeLinear = KernelBinding("QuantizeLinear") { ctx in
        let x = try ctx.input(0), scale = try ctx.input(1), y = ctx.outputs[0]
        let zp = ctx.optionalInput(2)
        guard scale.dtype == .float32 else { throw ctx.error(.unsupportedDType, "y_scale must be float, got \(scale.dtype)") }
        if let zp, zp.dtype != y.dtype { throw ctx.error(.dtypeMismatch, "y_zero_point is \(zp.dtype) but y is \(y.dtype)") }
        let layout = try quantizationLayout(ctx, data: x.shape, scale: scale, zeroPoint: zp)
        func run<Q: FixedWidthInteger & TensorScalar>(_: Q.Type) throws {
            let z = zp.map { UnsafePointer($0.pointer(as: Q.self)) }
            switch x.dtype {
            case .float32: LinearQuantization.quantize(x.pointer(as: Float.self), scale: scale.pointer(as: Float.self),
                                                       zeroPoint: z, layout: layout, into: y.pointer(as: Q.self))
            case .int32: LinearQuantization.quantize(x.pointer(as: Int32.self), scale: scale.pointer(as: Float.self),
                                                     zeroPoint: z, layout: layout, into: y.pointer(as: Q.self))
            default: throw ctx.error(.unsupportedDType, "QuantizeLinear supports float and int32 x, not \(x.dtype)")
            }
        }
        switch y.dtype {
        case .int8: try run(Int8.self)
        case .uint8: try run(UInt8.self)
        default: throw ctx.error(.unsupportedDType, "QuantizeLinear output \(y.dtype) is not supported (int8, uint8)")
        }
    }

    static let dequantizeLinear = KernelBinding("DequantizeLinear") { ctx in
        let x = try ctx.input(0), scale = try ctx.input(1), y = ctx.outputs[0]
        let zp = ctx.optionalInput(2)
        guard scale.dtype == .float32, y.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "x_scale must be float, got \(scale.dtype)")
        }
        if let zp, zp.dtype != x.dtype { throw ctx.error(.dtypeMismatch, "x_zero_point is \(zp.dtype) but x is \(x.dtype)") }
        let layout = try quantizationLayout(ctx, data: x.shape, scale: scale, zeroPoint: zp)
        func run<Q: FixedWidthInteger & TensorScalar>(_: Q.Type) {
            LinearQuantization.dequantize(x.pointer(as: Q.self), scale: scale.pointer(as: Float.self),
                                          zeroPoint: zp.map { UnsafePointer($0.pointer(as: Q.self)) },
                                          layout: layout, into: y.pointer(as: Float.self))
        }
        switch x.dtype {
        case .int8: run(Int8.self)
        case .uint8: run(UInt8.self)
        case .int32: run(Int32.self)
        default: throw ctx.error(.unsupportedDType, "DequantizeLinear supports int8, uint8 and int32 x, not \(x.dtype)")
        }
    }

    /// Which scale (and zero point) each element uses, from the scale's shape, `axis` (13+) and
    /// `block_size` (21+); every mismatch is an `.invalidShape` error.
    static func quantizationLayout(_ ctx: KernelContext, data shape: [Int], scale: Tensor, zeroPoint: Tensor?) throws -> QuantizationLayout {
        if let zeroPoint, zeroPoint.shape != scale.shape, !(zeroPoint.count == 1 && scale.count == 1) {
            throw ctx.error(.invalidShape, "zero point \(zeroPoint.shape) and scale \(scale.shape) must have the same shape")
        }
        let count = shape.reduce(1, *)
        let blockSize = ctx.opset >= 21 ? try ctx.node.int("block_size", default: 0) : 0
        guard blockSize >= 0 else { throw ctx.error(.invalidModel, "block_size must be >= 0, got \(blockSize)") }
        if blockSize == 0, scale.count == 1, scale.rank <= 1 { return .perTensor(count: count) }
        guard ctx.opset >= 13, !shape.isEmpty else {
            throw ctx.error(.invalidShape, "scale \(scale.shape) must be a scalar here (per-axis scales need opset 13 and a non-scalar input)")
        }
        let axis = try normalizeAxis(try ctx.node.int("axis", default: 1), rank: shape.count, node: ctx.node)
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *), length = shape[axis]
        if blockSize == 0 {
            guard scale.shape == [length] else {
                throw ctx.error(.invalidShape, "per-axis scale must be [\(length)] (axis \(axis) of \(shape)), got \(scale.shape)")
            }
            return .perAxis(outer: outer, axis: length, inner: inner)
        }
        var expected = shape
        expected[axis] = QuantizationLayout.blockCount(axis: length, blockSize: blockSize)
        guard scale.shape == expected else {
            throw ctx.error(.invalidShape, "blocked scale must be \(expected) for \(shape), axis \(axis), block_size \(blockSize); got \(scale.shape)")
        }
        return .blocked(outer: outer, axis: length, inner: inner, blockSize: blockSize)
    }

    static let dynamicQuantizeLinear = KernelBinding("DynamicQuantizeLinear") { ctx in
        let x = try ctx.input(0)
        guard x.dtype == .float32 else { throw ctx.error(.unsupportedDType, "DynamicQuantizeLinear needs float x, got \(x.dtype)") }
        let (scale, zp) = LinearQuantization.dynamicQuantize(x.pointer(as: Float.self), count: x.count,
                                                             into: ctx.outputs[0].pointer(as: UInt8.self))
        if ctx.outputs.count > 1 { ctx.outputs[1].pointer(as: Float.self)[0] = scale }
        if ctx.outputs.count > 2 { ctx.outputs[2].pointer(as: UInt8.self)[0] = zp }
    }

    // MARK: - Integer products

    /// `x` widened to Int32 minus its zero point; the zero point is one value, or one per
    /// slice of length `inner` repeating every `period` slices (per row / per column / per channel).
    static func widened(_ x: Tensor, zeroPoint: Tensor?, period: Int, inner: Int, _ what: String,
                        _ ctx: KernelContext) throws -> [Int32] {
        if let zeroPoint {
            guard zeroPoint.dtype == x.dtype else { throw ctx.error(.dtypeMismatch, "\(what) zero point is \(zeroPoint.dtype) but \(what) is \(x.dtype)") }
            guard zeroPoint.count == 1 || (zeroPoint.count == period && zeroPoint.rank == 1) else {
                throw ctx.error(.invalidShape, "\(what) zero point must hold 1 or \(period) values, got \(zeroPoint.shape)")
            }
        }
        let p = zeroPoint.map { $0.count } ?? 1
        var out = [Int32](repeating: 0, count: x.count)
        out.withUnsafeMutableBufferPointer { o in
            guard let base = o.baseAddress else { return }
            switch x.dtype {
            case .int8: IntegerGemm.widen(x.pointer(as: Int8.self), count: x.count, zeroPoint: zeroPoint.map { UnsafePointer($0.pointer(as: Int8.self)) }, period: p, inner: inner, into: base)
            case .uint8: IntegerGemm.widen(x.pointer(as: UInt8.self), count: x.count, zeroPoint: zeroPoint.map { UnsafePointer($0.pointer(as: UInt8.self)) }, period: p, inner: inner, into: base)
            default: break
            }
        }
        guard x.dtype == .int8 || x.dtype == .uint8 else { throw ctx.error(.unsupportedDType, "\(what) must be int8 or uint8, got \(x.dtype)") }
        return out
    }

    /// The Int32 numpy.matmul of A (input `ai`) and B (input `bi`), zero points subtracted
    /// (A's per row, B's per column allowed), written into `out`.
    static func integerMatMul(_ ctx: KernelContext, a ai: Int, aZero: Int, b bi: Int, bZero: Int,
                              into out: UnsafeMutablePointer<Int32>, count: Int) throws {
        let a = try ctx.input(ai), b = try ctx.input(bi)
        let plan = try MatMulPlan(a.shape, b.shape, ctx)
        let rowsA = a.rank == 1 ? 1 : a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let colsB = b.rank == 1 ? 1 : b.shape[b.rank - 1]
        guard count == plan.aOffsets.count * plan.m * plan.n else {
            throw ctx.error(.invalidShape, "output does not match A \(a.shape) x B \(b.shape)")
        }
        let wa = try widened(a, zeroPoint: ctx.optionalInput(aZero), period: rowsA, inner: k, "A", ctx)
        let wb = try widened(b, zeroPoint: ctx.optionalInput(bZero), period: colsB, inner: 1, "B", ctx)
        wa.withUnsafeBufferPointer { pa in
            wb.withUnsafeBufferPointer { pb in
                guard let ba = pa.baseAddress, let bb = pb.baseAddress else { return }
                for (i, (ao, bo)) in zip(plan.aOffsets, plan.bOffsets).enumerated() {
                    IntegerGemm.multiply(ba + ao, bb + bo, m: plan.m, k: plan.k, n: plan.n, into: out + i * plan.m * plan.n)
                }
            }
        }
    }

    static let matMulInteger = KernelBinding("MatMulInteger") { ctx in
        let y = ctx.outputs[0]
        try integerMatMul(ctx, a: 0, aZero: 2, b: 1, bZero: 3, into: y.pointer(as: Int32.self), count: y.count)
    }

    /// `y = clamp(round((a - a_zp) @ (b - b_zp) * a_scale * b_scale / y_scale) + y_zp)`; b's scale may be per column.
    static let qLinearMatMul = KernelBinding("QLinearMatMul") { ctx in
        let y = ctx.outputs[0], b = try ctx.input(3)
        var acc = [Int32](repeating: 0, count: y.count)
        try acc.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            try integerMatMul(ctx, a: 0, aZero: 2, b: 3, bZero: 5, into: base, count: y.count)
        }
        let columns = b.rank == 1 ? 1 : b.shape[b.rank - 1]
        let multiplier = try requantizeMultiplier(ctx, scales: (1, 4, 6), channels: columns)
        // Per-column multipliers index the output's last dim (B 1-D has no columns: one value).
        try requantize(ctx, acc, multiplier: multiplier, inner: 1, zeroPoint: 7, into: y)
    }

    /// `a_scale * b_scale / y_scale` in float32 (as the reference computes it), then widened;
    /// the middle scale may hold one value per output channel/column.
    static func requantizeMultiplier(_ ctx: KernelContext, scales: (Int, Int, Int), channels: Int) throws -> [Double] {
        let s0 = try ctx.input(scales.0), s1 = try ctx.input(scales.1), s2 = try ctx.input(scales.2)
        for s in [s0, s1, s2] where s.dtype != .float32 {
            throw ctx.error(.unsupportedDType, "scales must be float, got \(s.dtype)")
        }
        guard s0.count == 1, s2.count == 1, s1.count == 1 || (s1.count == channels && s1.rank == 1) else {
            throw ctx.error(.invalidShape, "scales must be single values (the weight scale may hold \(channels)), got \(s0.shape), \(s1.shape), \(s2.shape)")
        }
        let a = s0.pointer(as: Float.self)[0], c = s2.pointer(as: Float.self)[0], b = s1.pointer(as: Float.self)
        return (0..<s1.count).map { Double(a * b[$0] / c) }
    }

    static func requantize(_ ctx: KernelContext, _ acc: [Int32], multiplier: [Double], inner: Int, zeroPoint zi: Int,
                           into y: Tensor) throws {
        let zp = ctx.optionalInput(zi)
        if let zp { guard zp.dtype == y.dtype, zp.count == 1 else { throw ctx.error(.invalidShape, "y_zero_point must be one \(y.dtype) value, got \(zp.dtype)\(zp.shape)") } }
        let z = zp.map { $0.doubleValues()[0] } ?? 0
        acc.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            switch y.dtype {
            case .int8: IntegerGemm.requantize(base, count: y.count, multiplier: multiplier, inner: inner, zeroPoint: z, into: y.pointer(as: Int8.self))
            case .uint8: IntegerGemm.requantize(base, count: y.count, multiplier: multiplier, inner: inner, zeroPoint: z, into: y.pointer(as: UInt8.self))
            default: break
            }
        }
        guard y.dtype == .int8 || y.dtype == .uint8 else { throw ctx.error(.unsupportedDType, "output must be int8 or uint8, got \(y.dtype)") }
    }

    /// Int32 convolution of input `xi` by `wi` (zero points subtracted; w's may be per output
    /// channel) plus an optional int32 bias, into `out` (the shape of `y`).
    static func integerConv(_ ctx: KernelContext, x xi: Int, xZero: Int, w wi: Int, wZero: Int, bias: Int?, y: Tensor,
                            into out: UnsafeMutablePointer<Int32>) throws {
        let x = try ctx.input(xi), w = try ctx.input(wi)
        guard x.rank >= 3, w.rank == x.rank, x.rank - 2 <= WindowGeometry.maxSpatialRank else {
            throw ctx.error(.invalidShape, "needs x [N, C, 1 to 3 spatial dims] and w of the same rank, got x \(x.shape), w \(w.shape)")
        }
        // group, the window and the channel checks come from the schema (one parse, one set of checks).
        guard let resolved = try QuantizationOperators.resolveIntegerConv(ctx.shapeContext, x: xi, w: wi, bias: bias, output: y.dtype),
              resolved.outputType.staticDims == y.shape else {
            throw ctx.error(.invalidShape, "output \(y.shape) does not match the computed convolution shape")
        }
        let c = x.shape[1], m = w.shape[0], group = resolved.group
        let g = try ConvolutionLowering.geometry(input: Array(x.shape.dropFirst(2)), window: resolved.window, y: y, ctx)
        var b: [Int32]? = nil
        if let bias, let bt = ctx.optionalInput(bias) {
            guard bt.dtype == .int32, bt.shape == [m] else { throw ctx.error(.invalidShape, "B must be int32 [\(m)], got \(bt.dtype)\(bt.shape)") }
            b = try bt.scalars(as: Int32.self)
        }
        let wx = try widened(x, zeroPoint: ctx.optionalInput(xZero), period: 1, inner: 1, "x", ctx)
        if let xz = ctx.optionalInput(xZero), xz.count != 1 { throw ctx.error(.invalidShape, "x zero point must be one value, got \(xz.shape)") }
        let ww = try widened(w, zeroPoint: ctx.optionalInput(wZero), period: m, inner: w.count / max(m, 1), "w", ctx)
        var columns = [Int32](repeating: 0, count: IntegerConvolution.scratchCount(inChannels: c, group: group, geometry: g))
        wx.withUnsafeBufferPointer { px in
            ww.withUnsafeBufferPointer { pw in
                columns.withUnsafeMutableBufferPointer { pc in
                    guard let bx = px.baseAddress, let bw = pw.baseAddress, let bc = pc.baseAddress else { return }
                    b.withUnsafeBufferPointerIfPresent { bb in
                        IntegerConvolution.convolve(input: bx, weights: bw, bias: bb, output: out, batch: x.shape[0],
                                                    inChannels: c, outChannels: m, group: group, geometry: g, columns: bc)
                    }
                }
            }
        }
    }

    static let convInteger = KernelBinding("ConvInteger") { ctx in
        let y = ctx.outputs[0]
        try integerConv(ctx, x: 0, xZero: 2, w: 1, wZero: 3, bias: nil, y: y, into: y.pointer(as: Int32.self))
    }

    static let qLinearConv = KernelBinding("QLinearConv") { ctx in
        let y = ctx.outputs[0], m = try ctx.input(3).shape.first ?? 0
        var acc = [Int32](repeating: 0, count: y.count)
        try acc.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            try integerConv(ctx, x: 0, xZero: 2, w: 3, wZero: 5, bias: 8, y: y, into: base)
        }
        let multiplier = try requantizeMultiplier(ctx, scales: (1, 4, 6), channels: m)
        try requantize(ctx, acc, multiplier: multiplier, inner: y.shape.dropFirst(2).reduce(1, *), zeroPoint: 7, into: y)
    }

    // MARK: - NonMaxSuppression, TfIdfVectorizer

    static let nonMaxSuppression = KernelBinding("NonMaxSuppression") { ctx in
        let selection = try NonMaxSuppressionSelection(
            boxes: try ctx.input(0), scores: try ctx.input(1), maxOutputBoxesPerClass: ctx.optionalInput(2),
            iouThreshold: ctx.optionalInput(3), scoreThreshold: ctx.optionalInput(4),
            centerPointBox: try QuantizationOperators.centerPointBox(ctx.shapeContext), ctx.shapeContext)
        let y = ctx.outputs[0]
        guard y.count == selection.selected.count else {
            throw ctx.error(.invalidShape, "output \(y.shape) does not hold the \(selection.selected.count / 3) selected boxes")
        }
        let p = y.pointer(as: Int64.self)
        for (i, v) in selection.selected.enumerated() { p[i] = v }
    }

    /// Counts the pool's n-grams in each row of X, then weights them (TF: counts; IDF: the
    /// weight, or 1, where the count is non-zero; TFIDF: weight x count).
    static let tfIdfVectorizer = KernelBinding.prepared("TfIdfVectorizer") { ctx in
        let config = try TfIdfConfiguration(ctx.node, ctx.shapeContext)
        let counter = NgramCounter(pool: config.pool, ngrams: config.ngrams, outputIndexes: config.ngramIndexes,
                                   minLength: config.minGramLength, maxLength: config.maxGramLength, maxSkip: config.maxSkipCount)
        let x = try ctx.input(0), y = ctx.outputs[0]
        let rows = x.rank == 2 ? x.shape[0] : 1, length = x.rank == 0 ? 1 : x.shape[x.rank - 1]
        guard x.rank <= 2, y.count == rows * config.outputSize else {
            throw ctx.error(.invalidShape, "X must be [C] or [N, C] and Y [N, \(config.outputSize)], got \(x.shape) and \(y.shape)")
        }
        let out = y.pointer(as: Float.self), size = config.outputSize, weights = config.weights, mode = config.mode
        return {
            out.update(repeating: 0, count: rows * size)
            for r in 0..<rows {
                switch x.dtype {
                case .int64: counter.count(x.pointer(as: Int64.self) + r * length, length: length, into: out + r * size)
                case .int32: counter.count(x.pointer(as: Int32.self) + r * length, length: length, into: out + r * size)
                default: throw ctx.error(.unsupportedDType, "TfIdfVectorizer supports int32 and int64 X, not \(x.dtype)")
                }
            }
            switch mode {
            case .tf: break
            case .idf:
                for i in 0..<(rows * size) where out[i] > 0 { out[i] = weights.isEmpty ? 1 : weights[i % size] }
            case .tfidf:
                if !weights.isEmpty { for i in 0..<(rows * size) { out[i] *= weights[i % size] } }
            }
        }
    }
}

private extension Optional where Wrapped == [Int32] {
    func withUnsafeBufferPointerIfPresent<R>(_ body: (UnsafePointer<Int32>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
