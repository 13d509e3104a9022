import InferIR
import InferKernels

/// Runtime bindings for `VisionOperators`: GridSample, AffineGrid, RoiAlign, DeformConv.
/// Float and double run natively; GridSample's other X types go through Double.
package enum VisionLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("GridSample") { ctx in try gridSample(ctx) },
        KernelBinding("AffineGrid") { ctx in try affineGrid(ctx) },
        KernelBinding("RoiAlign") { ctx in try roiAlign(ctx) },
        KernelBinding("DeformConv") { ctx in try deformConv(ctx) },
    ]

    static func gridSample(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), grid = try ctx.input(1), out = ctx.outputs[0]
        let modeName = try VisionOperators.gridSampleMode(ctx.node, opset: ctx.opset)
        let mode: GridSampleMode = modeName == "nearest" ? .nearest : (modeName.hasSuffix("cubic") ? .cubic : .linear)
        let padding: GridSamplePadding = switch try VisionOperators.gridSamplePadding(ctx.node) {
        case "border": .border
        case "reflection": .reflection
        default: .zeros
        }
        let align = try ctx.node.int("align_corners", default: 0) != 0
        guard x.rank >= 3, grid.rank == x.rank, grid.shape.last == x.rank - 2, grid.shape[0] == x.shape[0],
              out.shape == [x.shape[0], x.shape[1]] + Array(grid.shape[1..<(grid.rank - 1)]) else {
            throw ctx.error(.invalidShape, "GridSample: X \(x.shape) and grid \(grid.shape) do not fit")
        }
        if out.count == 0 { return }
        if x.shape.dropFirst(2).contains(0) { return }  // nothing to sample: zeros
        let points = grid.shape.dropFirst().dropLast().reduce(1, *)
        func run<G: BinaryFloatingPoint & TensorScalar>(_: G.Type) throws {
            let g = UnsafePointer(grid.pointer(as: G.self))
            switch x.dtype {
            case .float32:
                InferKernels.gridSample(input: UnsafePointer(x.pointer(as: Float.self)), inputShape: x.shape, grid: g, outputPoints: points,
                                        output: out.pointer(as: Float.self), mode: mode, padding: padding, alignCorners: align)
            case .float64:
                InferKernels.gridSample(input: UnsafePointer(x.pointer(as: Double.self)), inputShape: x.shape, grid: g, outputPoints: points,
                                        output: out.pointer(as: Double.self), mode: mode, padding: padding, alignCorners: align)
            default:
                let values = x.doubleValues()
                var result = [Double](repeating: 0, count: out.count)
                values.withUnsafeBufferPointer { input in
                    result.withUnsafeMutableBufferPointer { output in
                        InferKernels.gridSample(input: input.baseAddress!, inputShape: x.shape, grid: g, outputPoints: points,
                                                output: output.baseAddress!, mode: mode, padding: padding, alignCorners: align)
                    }
                }
                try storeDoubles(result, into: out, ctx)
            }
        }
        switch grid.dtype {
        case .float32: try run(Float.self)
        case .float64: try run(Double.self)
        default: throw ctx.error(.unsupportedDType, "grid of type \(grid.dtype) is not supported")
        }
    }

    static func affineGrid(_ ctx: KernelContext) throws {
        let theta = try ctx.input(0), size = try ctx.input(1).intValues(), out = ctx.outputs[0]
        let k = size.count - 2
        guard k == 2 || k == 3, theta.shape == [size[0], k, k + 1] else {
            throw ctx.error(.invalidShape, "AffineGrid: theta \(theta.shape) does not match size \(size)")
        }
        let spatial = Array(size[2...])
        switch theta.dtype {
        case .float32:
            InferKernels.affineGrid(theta: UnsafePointer(theta.pointer(as: Float.self)), batch: size[0], spatial: spatial,
                                    alignCorners: try ctx.node.int("align_corners", default: 0) != 0, output: out.pointer(as: Float.self))
        case .float64:
            InferKernels.affineGrid(theta: UnsafePointer(theta.pointer(as: Double.self)), batch: size[0], spatial: spatial,
                                    alignCorners: try ctx.node.int("align_corners", default: 0) != 0, output: out.pointer(as: Double.self))
        default: throw ctx.error(.unsupportedDType, "theta of type \(theta.dtype) is not supported")
        }
    }

    static func roiAlign(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), rois = try ctx.input(1), indices = try ctx.input(2), out = ctx.outputs[0]
        guard x.rank == 4, rois.rank == 2, rois.shape[1] == 4, indices.rank == 1, indices.shape[0] == rois.shape[0] else {
            throw ctx.error(.invalidShape, "RoiAlign: X \(x.shape), rois \(rois.shape), batch_indices \(indices.shape) do not fit")
        }
        let batchIndices = indices.pointer(as: Int64.self)
        for i in 0..<indices.count where batchIndices[i] < 0 || batchIndices[i] >= Int64(x.shape[0]) {
            throw ctx.error(.invalidShape, "batch index \(batchIndices[i]) is out of range for batch \(x.shape[0])")
        }
        let modes = try VisionOperators.roiAlignModes(ctx.node, opset: ctx.opset)
        let sampling = try ctx.node.int("sampling_ratio", default: 0)
        guard sampling >= 0 else { throw ctx.error(.invalidModel, "sampling_ratio must be >= 0") }
        let scale = Double(try ctx.node.float("spatial_scale", default: 1))
        let oh = out.shape[2], ow = out.shape[3]
        if out.count == 0 { return }
        guard x.shape[2] > 0, x.shape[3] > 0 else { throw ctx.error(.invalidShape, "RoiAlign needs a non-empty image, got \(x.shape)") }
        func run<T: BinaryFloatingPoint & TensorScalar>(_: T.Type) {
            InferKernels.roiAlign(input: UnsafePointer(x.pointer(as: T.self)), channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                  rois: UnsafePointer(rois.pointer(as: T.self)), batchIndices: UnsafePointer(batchIndices), roiCount: rois.shape[0],
                                  outHeight: oh, outWidth: ow, samplingRatio: sampling, spatialScale: scale,
                                  halfPixel: modes.halfPixel, maxMode: modes.max, output: out.pointer(as: T.self))
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        default: throw ctx.error(.unsupportedDType, "X of type \(x.dtype) is not supported")
        }
    }

    static func deformConv(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), w = try ctx.input(1), offset = try ctx.input(2), out = ctx.outputs[0]
        let bias = ctx.optionalInput(3), mask = ctx.optionalInput(4)
        let s = try VisionOperators.deformConvGeometry(ctx.node, opset: ctx.opset, x: x.shape, w: w.shape, offset: offset.shape)
        if let bias, bias.shape != [w.shape[0]] {
            throw ctx.error(.invalidShape, "bias B \(bias.shape) must be [\(w.shape[0])]")
        }
        if let mask, mask.shape != [x.shape[0], s.offsetGroup * s.kernel[0] * s.kernel[1], s.outH, s.outW] {
            throw ctx.error(.invalidShape, "mask \(mask.shape) must be [\(x.shape[0]), \(s.offsetGroup * s.kernel[0] * s.kernel[1]), \(s.outH), \(s.outW)]")
        }
        if out.count == 0 { return }
        let geometry = DeformConvGeometry(
            batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3], outChannels: w.shape[0],
            kernelH: s.kernel[0], kernelW: s.kernel[1], outH: s.outH, outW: s.outW, group: s.group, offsetGroup: s.offsetGroup,
            padTop: s.pads[0], padLeft: s.pads[1], strideH: s.strides[0], strideW: s.strides[1],
            dilationH: s.dilations[0], dilationW: s.dilations[1])
        func run<T: BinaryFloatingPoint & TensorScalar>(_: T.Type) {
            deformConv2D(geometry, input: UnsafePointer(x.pointer(as: T.self)), weight: UnsafePointer(w.pointer(as: T.self)),
                         offset: UnsafePointer(offset.pointer(as: T.self)), bias: bias.map { UnsafePointer($0.pointer(as: T.self)) },
                         mask: mask.map { UnsafePointer($0.pointer(as: T.self)) }, output: out.pointer(as: T.self))
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        default: throw ctx.error(.unsupportedDType, "X of type \(x.dtype) is not supported")
        }
    }
}
