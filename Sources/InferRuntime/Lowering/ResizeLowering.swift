import InferIR
import InferKernels

/// Runtime bindings for Resize and Upsample (`ResizeOperators`): the interpolation runs one
/// resized axis at a time in Double, as the ONNX reference does, then rounds (and saturates,
/// for integer types) back to the element type.
package enum ResizeLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("Resize") { ctx in try resize(ctx) },
        KernelBinding("Upsample") { ctx in try resize(ctx) },
    ]

    static func resize(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), out = ctx.outputs[0], node = ctx.node
        guard let geometry = try ResizeGeometry(ctx.shapeContext, inputShape: x.shape), geometry.outputShape == out.shape else {
            throw ctx.error(.invalidShape, "output shape \(out.shape) does not match the resize parameters")
        }
        let legacy = node.opType == "Upsample" || ctx.opset < 11
        let modeName = try node.string("mode", default: "nearest")
        let interpolation: ResizeInterpolation
        switch modeName {
        case "nearest":
            let rounding = legacy ? "floor" : try node.string("nearest_mode", default: "round_prefer_floor")
            switch rounding {
            case "round_prefer_floor": interpolation = .nearest(.roundPreferFloor)
            case "round_prefer_ceil": interpolation = .nearest(.roundPreferCeil)
            case "floor": interpolation = .nearest(.floor)
            case "ceil": interpolation = .nearest(.ceil)
            default: throw ctx.error(.invalidModel, "unknown nearest_mode \"\(rounding)\"")
            }
        case "linear", "bilinear", "trilinear": interpolation = .linear
        case "cubic" where !legacy: interpolation = .cubic(a: Double(try node.float("cubic_coeff_a", default: -0.75)))
        default: throw ctx.error(.invalidModel, "mode \"\(modeName)\" is not supported")
        }
        let transformName = legacy ? "asymmetric" : try node.string("coordinate_transformation_mode", default: "half_pixel")
        let antialias = try ctx.opset >= 18 && !legacy && node.int("antialias", default: 0) != 0
        let excludeOutside = try !legacy && node.int("exclude_outside", default: 0) != 0
        let extrapolation = Double(try node.float("extrapolation_value", default: 0))
        if case .nearest = interpolation, antialias { throw ctx.error(.invalidModel, "antialias does not apply to nearest mode") }

        let rank = x.rank
        var shape = x.shape
        var values = x.doubleValues()
        for axis in 0..<rank {
            let roi = geometry.roi.map { ($0[axis], $0[rank + axis]) } ?? (0, 1)
            if abs(geometry.scales[axis] - 1) < 1e-9, geometry.outputShape[axis] == shape[axis], roi == (0, 1) { continue }
            guard shape[axis] > 0 || geometry.outputShape[axis] == 0 else {
                throw ctx.error(.invalidShape, "cannot resize an empty axis \(axis)")
            }
            let transform: CoordinateTransform
            switch transformName {
            case "half_pixel": transform = .halfPixel
            case "half_pixel_symmetric": transform = .halfPixelSymmetric
            case "pytorch_half_pixel": transform = .pytorchHalfPixel
            case "align_corners": transform = .alignCorners
            case "asymmetric": transform = .asymmetric
            case "tf_half_pixel_for_nn": transform = .tfHalfPixelForNN
            case "tf_crop_and_resize": transform = .tfCropAndResize(start: roi.0, end: roi.1)
            default: throw ctx.error(.invalidModel, "unknown coordinate_transformation_mode \"\(transformName)\"")
            }
            let plan = ResizeAxisPlan(inputSize: shape[axis], outputSize: geometry.outputShape[axis], scale: geometry.scales[axis],
                                      interpolation: interpolation, transform: transform, antialias: antialias,
                                      excludeOutside: excludeOutside)
            let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
            var next = [Double](repeating: 0, count: outer * plan.outputSize * inner)
            values.withUnsafeBufferPointer { src in
                next.withUnsafeMutableBufferPointer { dst in
                    if let s = src.baseAddress, let d = dst.baseAddress {
                        ResizeKernel.resizeAxis(s, outer: outer, inner: inner, plan: plan, extrapolationValue: extrapolation, into: d)
                    }
                }
            }
            values = next
            shape[axis] = plan.outputSize
        }
        try storeDoubles(values, into: out, ctx)
    }
}
