/// Shape inference for the sampling operators of vision models: GridSample (16, 20, 22),
/// AffineGrid (20), RoiAlign (10, 16, 22) and DeformConv (19, 22; 2-D). Kernels in the
/// runtime's Lowering/VisionLowering.swift.
package enum VisionOperators {
    package static let schemas: [OperatorSchema] = [gridSample, affineGrid, roiAlign, deformConv]

    static let floats: Set<DType> = [.float32, .float64]

    /// X [N, C, D1..Dk] and grid [N, O1..Ok, k] give [N, C, O1..Ok]. Opset 16 is 4-D only.
    static let gridSample = OperatorSchema("GridSample", since: 16) { ctx in
        let x = try ctx.type(0), grid = try ctx.type(1)
        try ElementwiseOperators.require(ctx, grid.dtype, in: floats, "grid")
        _ = try gridSampleMode(ctx.node, opset: ctx.opset)
        _ = try gridSamplePadding(ctx.node)
        guard let sx = x.shape, let sg = grid.shape else { return [ValueType(dtype: x.dtype, shape: nil)] }
        guard sx.count >= 3, sg.count == sx.count else {
            throw ctx.error(.invalidShape, "GridSample needs X [N, C, spatial...] and grid [N, spatial..., k] of the same rank, got X \(sx), grid \(sg)")
        }
        if ctx.opset < 20, sx.count != 4 {
            throw ctx.error(.invalidShape, "GridSample before opset 20 takes 4-D X, got rank \(sx.count)")
        }
        if let k = sg.last?.intValue, k != sx.count - 2 {
            throw ctx.error(.invalidShape, "grid's last dim is \(k) but X has \(sx.count - 2) spatial dims")
        }
        if let a = sx[0].intValue, let b = sg[0].intValue, a != b {
            throw ctx.error(.invalidShape, "X has batch \(a) but grid has batch \(b)")
        }
        return [ValueType(dtype: x.dtype, shape: [sx[0], sx[1]] + sg.dropFirst().dropLast())]
    }

    /// The interpolation mode; opset 20 renamed bilinear/bicubic to linear/cubic.
    package static func gridSampleMode(_ node: Node, opset: Int) throws -> String {
        let renamed = opset >= 20
        let mode = try node.string("mode", default: renamed ? "linear" : "bilinear")
        let allowed = renamed ? ["linear", "cubic", "nearest"] : ["bilinear", "bicubic", "nearest"]
        guard allowed.contains(mode) else {
            throw InferError.at(node, opset: opset, .invalidModel,
                                "mode '\(mode)' is not one of \(allowed.joined(separator: ", ")) at opset \(opset)")
        }
        return mode
    }

    package static func gridSamplePadding(_ node: Node) throws -> String {
        let padding = try node.string("padding_mode", default: "zeros")
        guard ["zeros", "border", "reflection"].contains(padding) else {
            throw InferError.at(node, opset: 0, .invalidModel, "padding_mode '\(padding)' is not zeros, border or reflection")
        }
        return padding
    }

    /// theta [N, 2, 3] (2-D) or [N, 3, 4] (3-D) and size [N, C, (D,) H, W] give [N, (D,) H, W, 2|3].
    static let affineGrid = OperatorSchema("AffineGrid", since: 20) { ctx in
        let theta = try ctx.type(0), size = try ctx.type(1)
        try ElementwiseOperators.require(ctx, theta.dtype, in: floats, "theta")
        try ElementwiseOperators.require(ctx, size.dtype, in: [.int64], "size")
        if let st = theta.shape {
            guard st.count == 3 else { throw ctx.error(.invalidShape, "theta must be [N, 2, 3] or [N, 3, 4], got \(st)") }
        }
        guard let value = ctx.value(1) else {
            if let n = size.shape?.first?.intValue { return [ValueType(dtype: theta.dtype, shape: Array(repeating: .unknown, count: n))] }
            return [ValueType(dtype: theta.dtype, shape: nil)]
        }
        let dims = value.intValues()
        guard value.rank == 1, dims.count == 4 || dims.count == 5, dims.allSatisfy({ $0 >= 0 }) else {
            throw ctx.error(.invalidShape, "size must be [N, C, H, W] or [N, C, D, H, W] of non-negative values, got \(dims)")
        }
        let k = dims.count - 2
        if let st = theta.staticDims, st != [dims[0], k, k + 1] {
            throw ctx.error(.invalidShape, "theta \(st) does not match size \(dims) (expected [\(dims[0]), \(k), \(k + 1)])")
        }
        return [ValueType(dtype: theta.dtype, dims: [dims[0]] + dims.dropFirst(2) + [k])]
    }

    /// X [N, C, H, W], rois [R, 4], batch_indices [R] give [R, C, output_height, output_width].
    static let roiAlign = OperatorSchema("RoiAlign", since: 10) { ctx in
        let x = try ctx.type(0), rois = try ctx.type(1), indices = try ctx.type(2)
        try ElementwiseOperators.require(ctx, x.dtype, in: floats, "X")
        guard rois.dtype == x.dtype else { throw ctx.error(.dtypeMismatch, "rois are \(rois.dtype) but X is \(x.dtype)") }
        try ElementwiseOperators.require(ctx, indices.dtype, in: [.int64], "batch_indices")
        let height = try ctx.node.int("output_height", default: 1), width = try ctx.node.int("output_width", default: 1)
        guard height >= 1, width >= 1 else { throw ctx.error(.invalidModel, "output_height and output_width must be >= 1") }
        _ = try roiAlignModes(ctx.node, opset: ctx.opset)
        if let sx = x.shape, sx.count != 4 { throw ctx.error(.invalidShape, "X must be 4-D [N, C, H, W], got \(sx)") }
        if let sr = rois.shape, sr.count != 2 || (sr[1].intValue.map { $0 != 4 } ?? false) {
            throw ctx.error(.invalidShape, "rois must be [num_rois, 4], got \(sr)")
        }
        if let si = indices.shape, si.count != 1 { throw ctx.error(.invalidShape, "batch_indices must be 1-D, got \(si)") }
        let r = indices.shape?.first ?? rois.shape?.first ?? .unknown
        let c = x.shape?[1] ?? .unknown
        return [ValueType(dtype: x.dtype, shape: [r, c, .value(height), .value(width)])]
    }

    /// (max pooling, half-pixel coordinates); half_pixel became the default at opset 16.
    package static func roiAlignModes(_ node: Node, opset: Int) throws -> (max: Bool, halfPixel: Bool) {
        let mode = try node.string("mode", default: "avg")
        guard mode == "avg" || mode == "max" else {
            throw InferError.at(node, opset: opset, .invalidModel, "mode '\(mode)' is not avg or max")
        }
        var transform = "output_half_pixel"
        if opset >= 16 { transform = try node.string("coordinate_transformation_mode", default: "half_pixel") }
        guard transform == "half_pixel" || transform == "output_half_pixel" else {
            throw InferError.at(node, opset: opset, .invalidModel,
                                "coordinate_transformation_mode '\(transform)' is not half_pixel or output_half_pixel")
        }
        return (mode == "max", transform == "half_pixel")
    }

    /// X [N, C, H, W], W [OC, C/group, kH, kW], offset [N, offset_group*kH*kW*2, OH, OW] give [N, OC, OH, OW].
    static let deformConv = OperatorSchema("DeformConv", since: 19) { ctx in
        let x = try ctx.type(0), w = try ctx.type(1), offset = try ctx.type(2)
        try ElementwiseOperators.require(ctx, x.dtype, in: floats, "X")
        for i in 1..<5 where ctx.hasInput(i) {
            let t = try ctx.type(i)
            guard t.dtype == x.dtype else { throw ctx.error(.dtypeMismatch, "input \(i) is \(t.dtype) but X is \(x.dtype)") }
        }
        guard let sx = x.staticDims, let sw = w.staticDims, let so = offset.staticDims else {
            return [ValueType(dtype: x.dtype, shape: x.shape.map { _ in [.unknown, .unknown, .unknown, .unknown] })]
        }
        let g = try deformConvGeometry(ctx.node, opset: ctx.opset, x: sx, w: sw, offset: so)
        return [ValueType(dtype: x.dtype, dims: [sx[0], sw[0], g.outH, g.outW])]
    }

    /// Checked DeformConv attributes and shapes (2-D only).
    package struct DeformConvShape {
        package var kernel: [Int], pads: [Int], strides: [Int], dilations: [Int]
        package var group: Int, offsetGroup: Int, outH: Int, outW: Int
    }

    package static func deformConvGeometry(_ node: Node, opset: Int, x sx: [Int], w sw: [Int], offset so: [Int]) throws -> DeformConvShape {
        func fail(_ m: String) -> InferError { InferError.at(node, opset: opset, .invalidShape, m) }
        guard sx.count == 4, sw.count == 4, so.count == 4 else {
            throw fail("only 2-D DeformConv is supported: X, W and offset must be 4-D, got X \(sx), W \(sw), offset \(so)")
        }
        let kernel = try node.ints("kernel_shape", default: Array(sw[2...]))
        let pads = try node.ints("pads", default: [0, 0, 0, 0])
        let strides = try node.ints("strides", default: [1, 1])
        let dilations = try node.ints("dilations", default: [1, 1])
        let group = try node.int("group", default: 1), offsetGroup = try node.int("offset_group", default: 1)
        guard kernel.count == 2, kernel == Array(sw[2...]), pads.count == 4, pads.allSatisfy({ $0 >= 0 }),
              strides.count == 2, strides.allSatisfy({ $0 >= 1 }), dilations.count == 2, dilations.allSatisfy({ $0 >= 1 }) else {
            throw fail("bad kernel_shape \(kernel) / pads \(pads) / strides \(strides) / dilations \(dilations) for W \(sw)")
        }
        let c = CheckedDims(node: node, opset: opset)
        guard group >= 1, offsetGroup >= 1, sx[1] == (try c.multiply(sw[1], group, "W's channels x group")),
              sw[0] % group == 0, sx[1] % offsetGroup == 0 else {
            throw fail("channels do not fit: X \(sx), W \(sw), group \(group), offset_group \(offsetGroup)")
        }
        var out: [Int] = []
        for d in 0..<2 {
            guard kernel[d] >= 1 else { throw fail("kernel_shape \(kernel) must be positive") }
            let span = try c.add(try c.multiply(kernel[d] - 1, dilations[d], "the dilated kernel"), 1, "the dilated kernel")
            let padded = try c.sum([sx[2 + d], pads[d], pads[d + 2]], "the padded input")
            guard padded >= span else { throw fail("kernel \(kernel) with dilations \(dilations) exceeds the padded input \(sx)") }
            out.append((padded - span) / strides[d] + 1)
        }
        let offsetChannels = try c.product([offsetGroup, kernel[0], kernel[1], 2], "offset_group x kernel x 2")
        guard so == [sx[0], offsetChannels, out[0], out[1]] else {
            throw fail("offset \(so) must be [\(sx[0]), \(offsetChannels), \(out[0]), \(out[1])]")
        }
        return DeformConvShape(kernel: kernel, pads: pads, strides: strides, dilations: dilations,
                               group: group, offsetGroup: offsetGroup, outH: out[0], outW: out[1])
    }
}
