/// Shape inference for the Convolution family (see the runtime's Lowering/ConvolutionLowering.swift).
package enum ConvolutionOperators {
    package static let schemas: [OperatorSchema] = [
        conv, convTranspose, maxPool, averagePool,
        globalPool("GlobalAveragePool"), globalPool("GlobalMaxPool"),
        lpPool,
    ]

    /// Conv 1, 11, 22 differ only in dtypes and the wording of auto_pad.
    static let conv = OperatorSchema("Conv", since: 1) { ctx in
        [try resolveConv(ctx)?.outputType ?? ValueType(dtype: try ctx.type(0).dtype, shape: nil)]
    }

    /// Conv's attributes checked against its input shapes, and its window: the shape function's
    /// output type and the lowering's kernel call both come from here (one parse, one set of
    /// checks). nil when the rank of X or W is not known yet.
    package struct ConvResolution: Sendable {
        package let group: Int
        /// Kernel, strides, dilations and effective pads; `output` is nil where an input dim is unknown.
        package let window: SpatialWindow
        package let outputType: ValueType
    }

    package static func resolveConv(_ ctx: ShapeContext) throws -> ConvResolution? {
        guard let (x, sx, sw, group) = try operands(ctx, "Conv") else { return nil }
        if let c = sx[1].intValue, let wc = sw[1].intValue,
           c != (try ctx.checked.multiply(wc, group, "W's channels per group x group")) {
            throw ctx.error(.invalidShape, "X has \(c) channels but W expects \(wc) per group x \(group) groups")
        }
        if let m = sw[0].intValue, m % group != 0 {
            throw ctx.error(.invalidShape, "\(m) output channels are not divisible by group \(group)")
        }
        if ctx.hasInput(2), let sb = ctx.inputTypes.count > 2 ? ctx.inputTypes[2]?.shape : nil {
            guard sb.count == 1 else { throw ctx.error(.invalidShape, "bias B must be 1-D, got \(sb)") }
            if let b = sb[0].intValue, let m = sw[0].intValue, b != m {
                throw ctx.error(.invalidShape, "bias has \(b) values for \(m) output channels")
            }
        }
        let kernelFromW = sw.dropFirst(2).map(\.intValue)
        if let bad = kernelFromW.compactMap({ $0 }).first(where: { $0 < 1 }) {
            throw ctx.error(.invalidShape, "W \(sw) has the empty kernel dim \(bad)")
        }
        let attrs = try WindowAttributes(ctx.node, ctx.opset, spatialRank: sx.count - 2)
        let kernel: [Int?] = attrs.kernelShape ?? kernelFromW
        if let ks = attrs.kernelShape {
            for (k, wk) in zip(ks, kernelFromW) where wk != nil && wk != k {
                throw ctx.error(.invalidShape, "kernel_shape \(ks) does not match W \(sw)")
            }
        }
        let window = try attrs.resolve(input: sx.dropFirst(2).map(\.intValue), kernel: kernel, ceilMode: false)
        let output = ValueType(dtype: x.dtype, shape: [sx[0], sw[0]] + window.output.map { $0.map(Dim.value) ?? .unknown })
        return ConvResolution(group: group, window: window, outputType: output)
    }

    /// ConvTranspose 1, 11, 22: W is [C, M/group, k...].
    static let convTranspose = OperatorSchema("ConvTranspose", since: 1) { ctx in
        [try resolveConvTranspose(ctx)?.outputType ?? ValueType(dtype: try ctx.type(0).dtype, shape: nil)]
    }

    /// ConvTranspose's attributes checked against its input shapes, and its window (the forward
    /// conv's, whose input is Y): for the shape function and the lowering alike. nil when the
    /// rank of X or W is not known yet.
    package struct ConvTransposeResolution: Sendable {
        package let group: Int
        package let window: TransposeWindow
        package let outputType: ValueType
    }

    package static func resolveConvTranspose(_ ctx: ShapeContext) throws -> ConvTransposeResolution? {
        guard let (x, sx, sw, group) = try operands(ctx, "ConvTranspose") else { return nil }
        if let c = sx[1].intValue, let wc = sw[0].intValue, c != wc {
            throw ctx.error(.invalidShape, "X has \(c) channels but W has \(wc) input channels")
        }
        if let c = sx[1].intValue, c % group != 0 {
            throw ctx.error(.invalidShape, "\(c) input channels are not divisible by group \(group)")
        }
        let m: Dim = try sw[1].intValue.map { .value(try ctx.checked.multiply($0, group, "W's output channels per group x group")) } ?? .unknown
        let kernelFromW = sw.dropFirst(2).map(\.intValue)
        if let bad = kernelFromW.compactMap({ $0 }).first(where: { $0 < 1 }) {
            throw ctx.error(.invalidShape, "W \(sw) has the empty kernel dim \(bad)")
        }
        if let ks = try ctx.node.intsIfPresent("kernel_shape") {
            for (k, wk) in zip(ks, kernelFromW) where wk != nil && wk != k {
                throw ctx.error(.invalidShape, "kernel_shape \(ks) does not match W \(sw)")
            }
        }
        let window = try TransposeWindow(ctx.node, ctx.opset, input: sx.dropFirst(2).map(\.intValue), kernelFromW: kernelFromW)
        let output = ValueType(dtype: x.dtype, shape: [sx[0], m] + window.output.map { $0.map(Dim.value) ?? .unknown })
        return ConvTransposeResolution(group: group, window: window, outputType: output)
    }

    /// What Conv and ConvTranspose check first: X and W of one dtype and rank (at least 3) and a
    /// positive group. nil when either rank is not known yet.
    private static func operands(_ ctx: ShapeContext, _ op: String) throws -> (x: ValueType, sx: [Dim], sw: [Dim], group: Int)? {
        let x = try ctx.type(0), w = try ctx.type(1)
        guard x.dtype == w.dtype else { throw ctx.error(.dtypeMismatch, "X is \(x.dtype) but W is \(w.dtype)") }
        guard let sx = x.shape, let sw = w.shape else { return nil }
        guard sx.count >= 3, sw.count == sx.count else {
            throw ctx.error(.invalidShape, "\(op) needs X [N, C, spatial...] and W of the same rank, got X \(sx), W \(sw)")
        }
        let group = try ctx.node.int("group", default: 1)
        guard group >= 1 else { throw ctx.error(.invalidModel, "group must be >= 1, got \(group)") }
        return (x, sx, sw, group)
    }

    /// MaxPool 1, 8 (storage_order, Indices), 10 (ceil_mode, dilations), 11, 12 (int8), 22.
    static let maxPool = OperatorSchema("MaxPool", since: 1) { ctx in
        let y = try poolType(ctx)
        if ctx.node.outputs.count > 1 {
            guard y.dtype.isFloatingPoint else {
                throw ctx.error(.unsupportedDType, "the Indices output of MaxPool needs float or double input, not \(y.dtype)")
            }
            return [y, ValueType(dtype: .int64, shape: y.shape)]
        }
        return [y]
    }

    /// AveragePool 1, 7 (count_include_pad), 10 (ceil_mode), 11, 19 (dilations), 22.
    static let averagePool = OperatorSchema("AveragePool", since: 1) { ctx in [try poolType(ctx)] }

    /// LpPool 1 (`p` a float), 2 (`p` an int), 11, 18 (ceil_mode, dilations), 22.
    static let lpPool = OperatorSchema("LpPool", since: 1) { ctx in
        _ = try lpPoolExponent(ctx)
        return [try poolType(ctx)]
    }

    /// LpPool's `p`, checked positive: a float attribute in opset 1, an int from opset 2.
    package static func lpPoolExponent(_ ctx: ShapeContext) throws -> Double {
        let p = ctx.opset < 2 ? Double(try ctx.node.float("p", default: 2)) : Double(try ctx.node.int("p", default: 2))
        guard p > 0 else { throw ctx.error(.invalidModel, "p must be positive, got \(p)") }
        return p
    }

    static func poolType(_ ctx: ShapeContext) throws -> ValueType {
        let x = try ctx.type(0)
        guard let sx = x.shape, let window = try resolvePoolWindow(ctx) else { return ValueType(dtype: x.dtype, shape: nil) }
        return ValueType(dtype: x.dtype, shape: [sx[0], sx[1]] + window.output.map { $0.map(Dim.value) ?? .unknown })
    }

    /// The window of MaxPool, AveragePool or LpPool (kernel_shape, strides, dilations, pads,
    /// auto_pad, ceil_mode) checked against X: what the shape function and the lowering use.
    /// nil when X's rank is not known yet.
    package static func resolvePoolWindow(_ ctx: ShapeContext) throws -> SpatialWindow? {
        guard let sx = try ctx.type(0).shape else { return nil }
        guard sx.count >= 3 else { throw ctx.error(.invalidShape, "pooling needs X [N, C, spatial...], got \(sx)") }
        let attrs = try WindowAttributes(ctx.node, ctx.opset, spatialRank: sx.count - 2)
        guard let kernel = attrs.kernelShape else { throw ctx.error(.invalidModel, "required attribute 'kernel_shape' is missing") }
        let ceil = try ctx.node.int("ceil_mode", default: 0) != 0
        return try attrs.resolve(input: sx.dropFirst(2).map(\.intValue), kernel: kernel, ceilMode: ceil)
    }

    static func globalPool(_ name: String) -> OperatorSchema {
        OperatorSchema(name, since: 1) { ctx in
            let x = try ctx.type(0)
            guard let sx = x.shape else { return [ValueType(dtype: x.dtype, shape: nil)] }
            guard sx.count >= 3 else { throw ctx.error(.invalidShape, "\(name) needs X [N, C, spatial...], got \(sx)") }
            return [ValueType(dtype: x.dtype, shape: [sx[0], sx[1]] + Array(repeating: .value(1), count: sx.count - 2))]
        }
    }
}

/// A resolved sliding window over the spatial dims: what the kernels need.
/// `output` entries are nil when the input dim is not known (compile time).
package struct SpatialWindow: Sendable, Equatable {
    package var kernel: [Int]
    package var strides: [Int]
    package var dilations: [Int]
    package var padsBegin: [Int]
    package var padsEnd: [Int]
    package var output: [Int?]
}

/// The window attributes shared by Conv and the pools (kernel_shape, strides, dilations, pads, auto_pad).
package struct WindowAttributes {
    package enum AutoPad: String { case notSet = "NOTSET", sameUpper = "SAME_UPPER", sameLower = "SAME_LOWER", valid = "VALID" }

    let node: Node
    let opset: Int
    package let kernelShape: [Int]?
    package let strides: [Int]
    package let dilations: [Int]
    package let pads: [Int]
    package let autoPad: AutoPad

    package init(_ node: Node, _ opset: Int, spatialRank r: Int) throws {
        self.node = node
        self.opset = opset
        func fail(_ message: String) -> InferError { InferError.at(node, opset: opset, .invalidModel, message) }
        kernelShape = try node.intsIfPresent("kernel_shape")
        strides = try node.ints("strides", default: Array(repeating: 1, count: r))
        dilations = try node.ints("dilations", default: Array(repeating: 1, count: r))
        pads = try node.ints("pads", default: Array(repeating: 0, count: 2 * r))
        let pad = try node.string("auto_pad", default: "NOTSET")
        guard let autoPad = AutoPad(rawValue: pad.isEmpty ? "NOTSET" : pad) else { throw fail("unknown auto_pad '\(pad)'") }
        self.autoPad = autoPad
        if let k = kernelShape {
            guard k.count == r, k.allSatisfy({ $0 >= 1 }) else { throw fail("kernel_shape \(k) must hold \(r) positive sizes") }
        }
        guard strides.count == r, strides.allSatisfy({ $0 >= 1 }) else { throw fail("strides \(strides) must hold \(r) positive values") }
        guard dilations.count == r, dilations.allSatisfy({ $0 >= 1 }) else { throw fail("dilations \(dilations) must hold \(r) positive values") }
        guard pads.count == 2 * r, pads.allSatisfy({ $0 >= 0 }) else { throw fail("pads \(pads) must hold \(2 * r) non-negative values") }
        // Absurd sizes are hostile, not models: refuse them up front (the window arithmetic
        // below is checked as well, for huge input dims).
        let limit = 1 << 31
        for (name, values) in [("kernel_shape", kernelShape ?? []), ("strides", strides), ("dilations", dilations), ("pads", pads)]
        where values.contains(where: { $0 >= limit }) {
            throw fail("\(name) \(values) must be below 2^31")
        }
    }

    /// Output size and effective pads of each spatial dim, as ONNX (and ONNX Runtime) define them.
    package func resolve(input: [Int?], kernel: [Int?], ceilMode: Bool) throws -> SpatialWindow {
        let r = input.count
        var window = SpatialWindow(kernel: kernel.map { $0 ?? 1 }, strides: strides, dilations: dilations,
                                   padsBegin: Array(pads[0..<r]), padsEnd: Array(pads[r...]),
                                   output: Array(repeating: nil, count: r))
        let c = CheckedDims(node: node, opset: opset)
        for i in 0..<r {
            guard let size = input[i], let k = kernel[i] else { continue }
            let s = strides[i], effK = try c.add(try c.multiply(dilations[i], k - 1, "the dilated kernel of spatial dim \(i)"), 1, "the dilated kernel")
            switch autoPad {
            case .sameUpper, .sameLower:
                let out = try c.add(size, s - 1, "spatial dim \(i)") / s
                let total = max(0, try c.subtract(try c.add(try c.multiply(out - 1, s, "the padded extent of spatial dim \(i)"), effK, "the padded extent"), size, "the padding"))
                let small = total / 2
                window.padsBegin[i] = autoPad == .sameUpper ? small : total - small
                window.padsEnd[i] = total - window.padsBegin[i]
                window.output[i] = out
                continue
            case .valid:
                window.padsBegin[i] = 0
                window.padsEnd[i] = 0
            case .notSet:
                break
            }
            let span = try c.subtract(try c.sum([size, window.padsBegin[i], window.padsEnd[i]], "padded spatial dim \(i)"), effK, "the window span")
            guard span >= 0 else {
                throw InferError.at(node, opset: opset, .invalidShape,
                                    "window of \(effK) does not fit spatial dim \(i) of size \(size) with pads")
            }
            var out = (ceilMode ? (span + (s - 1)) / s : span / s) + 1   // span + s - 1 < size + 2^32: no overflow
            // A window may not start in the right padding (ceil_mode only).
            if ceilMode, (out - 1) * s >= size + window.padsBegin[i] { out -= 1 }
            window.output[i] = out
        }
        return window
    }
}

/// ConvTranspose's window: output from strides, pads and output_padding, or pads from output_shape.
package struct TransposeWindow: Sendable {
    package let window: SpatialWindow
    package var output: [Int?] { window.output }

    package init(_ node: Node, _ opset: Int, input: [Int?], kernelFromW: [Int?]) throws {
        let r = input.count
        func fail(_ message: String) -> InferError { InferError.at(node, opset: opset, .invalidModel, message) }
        let attrs = try WindowAttributes(node, opset, spatialRank: r)
        let kernel: [Int?] = attrs.kernelShape ?? kernelFromW
        let outputPadding = try node.ints("output_padding", default: Array(repeating: 0, count: r))
        guard outputPadding.count == r else { throw fail("output_padding \(outputPadding) must hold \(r) values") }
        for i in 0..<r where outputPadding[i] < 0 || outputPadding[i] >= max(attrs.strides[i], attrs.dilations[i]) {
            throw fail("output_padding \(outputPadding) must be non-negative and smaller than the stride or dilation")
        }
        let outputShape = try node.intsIfPresent("output_shape")
        if let os = outputShape {
            guard os.count == r || os.count == r + 2 else { throw fail("output_shape \(os) must hold \(r) spatial sizes") }
        }
        if let os = outputShape, let bad = os.first(where: { $0 < 0 }) {
            throw fail("output_shape \(os) holds the negative size \(bad)")
        }
        var w = SpatialWindow(kernel: kernel.map { $0 ?? 1 }, strides: attrs.strides, dilations: attrs.dilations,
                              padsBegin: Array(attrs.pads[0..<r]), padsEnd: Array(attrs.pads[r...]),
                              output: Array(repeating: nil, count: r))
        let c = CheckedDims(node: node, opset: opset)
        for i in 0..<r {
            guard let size = input[i], let k = kernel[i] else {
                if let os = outputShape { w.output[i] = os[os.count - r + i] }
                continue
            }
            let s = attrs.strides[i]
            let effK = try c.add(try c.multiply(attrs.dilations[i], k - 1, "the dilated kernel of spatial dim \(i)"), 1, "the dilated kernel")
            let natural = try c.sum([try c.multiply(s, size - 1, "stride x (input size - 1) of spatial dim \(i)"), outputPadding[i], effK],
                                    "the output size of spatial dim \(i)")
            var target: Int? = outputShape.map { $0[$0.count - r + i] }
            if target == nil, attrs.autoPad == .sameUpper || attrs.autoPad == .sameLower {
                target = try c.multiply(size, s, "input size x stride of spatial dim \(i)")
            }
            if let out = target {
                let total = try c.subtract(natural, out, "the padding of spatial dim \(i)")
                // ONNX: SAME_UPPER puts the smaller half first, otherwise the larger half. An
                // output larger than the natural one grows at the end (as ONNX Runtime does).
                let half = total / 2
                w.padsBegin[i] = total < 0 ? 0 : attrs.autoPad == .sameUpper ? half : total - half
                w.padsEnd[i] = total - w.padsBegin[i]
                w.output[i] = out
            } else {
                if attrs.autoPad == .valid { w.padsBegin[i] = 0; w.padsEnd[i] = 0 }
                w.output[i] = natural - w.padsBegin[i] - w.padsEnd[i]
            }
            guard let out = w.output[i], out >= 0 else {
                throw InferError.at(node, opset: opset, .invalidShape, "ConvTranspose output dim \(i) would be negative")
            }
        }
        window = w
    }
}
