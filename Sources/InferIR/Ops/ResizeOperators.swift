/// Shape inference for Resize (opsets 10 to 19) and the older Upsample (1, 7, 9); the runtime's
/// Ops/ResizeLowering.swift does the interpolation.
package enum ResizeOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Resize", since: 10) { ctx in try inferTypes(ctx) },
        OperatorSchema("Upsample", since: 1) { ctx in try inferTypes(ctx) },
    ]

    static let dtypes: Set<DType> = [.float32, .float64, .int64, .int32, .int8, .uint8]

    static func inferTypes(_ ctx: ShapeContext) throws -> [ValueType] {
        let x = try ctx.type(0)
        try ElementwiseOperators.require(ctx, x.dtype, in: dtypes, "input")
        guard let rank = x.rank else { return [ValueType(dtype: x.dtype, shape: nil)] }
        guard let dims = x.staticDims, let geometry = try ResizeGeometry(ctx, inputShape: dims) else {
            return [ValueType(dtype: x.dtype, shape: [Dim](repeating: .unknown, count: rank))]
        }
        return [ValueType(dtype: x.dtype, dims: geometry.outputShape)]
    }
}

/// Resize's scales, output shape and region of interest over every axis, from the node's
/// inputs and attributes across its versions:
/// Upsample-1 `height_scale`/`width_scale` attributes (4-D input); Upsample-7 `scales`
/// attribute; Upsample-9 and Resize-10 `(X, scales)`; Resize-11+ `(X, roi, scales, sizes)`,
/// exactly one of scales and sizes non-empty; Resize-18+ `axes` and `keep_aspect_ratio_policy`.
/// Output dims from scales are `floor(dim * scale)`.
package struct ResizeGeometry {
    package var outputShape: [Int]
    /// One scale per axis (1 for axes not resized).
    package var scales: [Double]
    /// `[start..., end...]` per axis, as fractions (tf_crop_and_resize only); nil when absent.
    package var roi: [Double]?

    /// Nil when an input it needs is not known yet (compile time).
    package init?(_ ctx: ShapeContext, inputShape: [Int]) throws {
        let node = ctx.node, rank = inputShape.count
        func present(_ i: Int) -> Bool { ctx.hasInput(i) && (ctx.inputTypes[i]?.staticDims.map { elementCount($0) != 0 } ?? true) }
        var scaleValues: [Double]?, sizeValues: [Int]?, roiValues: [Double]?
        if node.opType == "Upsample" && ctx.opset < 7 {
            guard rank == 4 else { throw ctx.error(.invalidShape, "Upsample before opset 7 takes 4-D [N, C, H, W] input, got rank \(rank)") }
            scaleValues = [1, 1, Double(try node.float("height_scale")), Double(try node.float("width_scale"))]
        } else if node.opType == "Upsample" && ctx.opset < 9 {
            scaleValues = try node.floats("scales").map(Double.init)
        } else if node.opType == "Upsample" || ctx.opset < 11 {
            guard let scales = ctx.value(1) else { return nil }
            scaleValues = scales.doubleValues()
        } else {
            if present(1) {
                guard let roi = ctx.value(1) else { return nil }
                roiValues = roi.doubleValues()
            }
            if present(2) {
                guard let scales = ctx.value(2) else { return nil }
                if scales.count > 0 { scaleValues = scales.doubleValues() }
            }
            if present(3) {
                guard let sizes = ctx.value(3) else { return nil }
                if sizes.count > 0 { sizeValues = sizes.intValues() }
            }
            guard (scaleValues == nil) != (sizeValues == nil) else {
                throw ctx.error(.invalidModel, "exactly one of scales and sizes must be given")
            }
        }
        let axes: [Int]
        if ctx.opset >= 18, node.opType == "Resize", let given = try node.intsIfPresent("axes") {
            axes = try given.map { try normalizeAxis($0, rank: rank, node: node) }
            guard Set(axes).count == axes.count else { throw ctx.error(.invalidModel, "axes \(given) repeat an axis") }
        } else {
            axes = Array(0..<rank)
        }
        let given = scaleValues?.count ?? sizeValues?.count ?? 0
        guard given == axes.count else {
            throw ctx.error(.invalidShape, "\(scaleValues == nil ? "sizes" : "scales") has \(given) values for \(axes.count) axes")
        }
        scales = [Double](repeating: 1, count: rank)
        outputShape = inputShape
        if let scaleValues {
            for (k, axis) in axes.enumerated() {
                let scale = scaleValues[k]
                guard scale > 0, scale.isFinite else { throw ctx.error(.invalidModel, "scale \(scale) must be positive") }
                scales[axis] = scale
                let size = (scale * Double(inputShape[axis])).rounded(.towardZero)
                guard size < 1e12 else { throw ctx.error(.invalidShape, "scale \(scale) makes axis \(axis) too large") }
                outputShape[axis] = Int(size)
            }
        } else if let sizeValues {
            for (k, axis) in axes.enumerated() {
                guard sizeValues[k] >= 0 else { throw ctx.error(.invalidShape, "sizes \(sizeValues) must not be negative") }
                guard inputShape[axis] > 0 || sizeValues[k] == 0 else {
                    throw ctx.error(.invalidShape, "cannot resize an empty axis \(axis) to \(sizeValues[k])")
                }
                outputShape[axis] = sizeValues[k]
                scales[axis] = inputShape[axis] == 0 ? 1 : Double(sizeValues[k]) / Double(inputShape[axis])
            }
            let policy = ctx.opset >= 18 ? try node.string("keep_aspect_ratio_policy", default: "stretch") : "stretch"
            if policy != "stretch" {
                guard policy == "not_larger" || policy == "not_smaller" else {
                    throw ctx.error(.invalidModel, "keep_aspect_ratio_policy must be stretch, not_larger or not_smaller, not \"\(policy)\"")
                }
                let chosen = axes.map { scales[$0] }
                let scale = (policy == "not_larger" ? chosen.min() : chosen.max()) ?? 1
                for axis in axes {
                    scales[axis] = scale
                    outputShape[axis] = try ctx.checked.integer((scale * Double(inputShape[axis]) + 0.5).rounded(.down), "the output size of axis \(axis)")
                }
            }
        }
        if let roiValues {
            if roiValues.count == 2 * rank {
                roi = roiValues
            } else if roiValues.count == 2 * axes.count {
                var full = [Double](repeating: 0, count: rank) + [Double](repeating: 1, count: rank)
                for (k, axis) in axes.enumerated() {
                    full[axis] = roiValues[k]
                    full[rank + axis] = roiValues[axes.count + k]
                }
                roi = full
            } else {
                throw ctx.error(.invalidShape, "roi has \(roiValues.count) values; expected \(2 * axes.count)")
            }
        }
    }
}
