import InferIR
import InferKernels

/// Runtime bindings for the Convolution family: attributes in, `InferKernels` calls out.
package enum ConvolutionLowering {
    package static let bindings: [KernelBinding] = [
        conv, convTranspose, maxPool, averagePool, globalAveragePool, globalMaxPool, lpPool,
    ]

    /// Conv (float32): 1-D to 3-D, strides, pads, dilations, groups, auto_pad, optional bias.
    /// Prepared: geometry resolved and the im2col scratch allocated once, reused every run.
    static let conv = KernelBinding.prepared("Conv") { ctx in
        let setup = try ConvSetup(ctx)
        let scratch = FloatBuffer(count: setup.scratchCount)
        let bias = setup.bias
        return { setup.convolve(bias: bias, scratch: scratch.pointer) }
    }

    /// ConvTranspose (float32): groups, strides, pads, output_padding, output_shape, dilations;
    /// attributes resolved by the schema (`ConvolutionOperators.resolveConvTranspose`).
    static let convTranspose = KernelBinding("ConvTranspose") { ctx in
        let x = try ctx.input(0), w = try ctx.input(1), y = ctx.outputs[0]
        guard x.dtype == .float32, w.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "ConvTranspose supports float only, got X \(x.dtype), W \(w.dtype)")
        }
        guard let resolved = try ConvolutionOperators.resolveConvTranspose(ctx.shapeContext),
              resolved.outputType.staticDims == y.shape else {
            throw ctx.error(.invalidShape, "output \(y.shape) does not match the computed ConvTranspose shape")
        }
        let c = x.shape[1], m = y.shape[1], group = resolved.group
        let bias = try biasPointer(ctx.optionalInput(2), count: m, ctx)
        // Forward view: the conv whose input is Y and output is X.
        let window = resolved.window.window
        guard x.rank - 2 <= WindowGeometry.maxSpatialRank,
              let g = WindowGeometry(input: Array(y.shape.dropFirst(2)), output: Array(x.shape.dropFirst(2)), kernel: window.kernel,
                                     strides: window.strides, dilations: window.dilations,
                                     padsBegin: window.padsBegin, padsEnd: window.padsEnd) else {
            throw ctx.error(.unsupportedFeature, "ConvTranspose supports 1 to \(WindowGeometry.maxSpatialRank) spatial dims")
        }
        ConvTranspose.run(input: x.pointer(as: Float.self), weights: w.pointer(as: Float.self), bias: bias,
                          output: y.pointer(as: Float.self), batch: x.shape[0], inChannels: c, outChannels: m,
                          group: group, geometry: g, threads: ctx.threads)
    }

    /// MaxPool (float, double; int8 and uint8 run in float, which holds them exactly), with the
    /// optional Indices output. The common float case is prepared once; the rest take
    /// `maxPoolGeneral` every run.
    static let maxPool = KernelBinding.prepared("MaxPool") { ctx in
        let (x, y, g) = try poolSetup(ctx)
        let wantsIndices = ctx.outputs.count > 1 && ctx.node.outputs.count > 1 && !ctx.node.outputs[1].isEmpty
        if wantsIndices || x.dtype == .int8 || x.dtype == .uint8 { return { try maxPoolGeneral(ctx) } }
        guard x.dtype == .float32 || x.dtype == .float64 else {
            throw ctx.error(.unsupportedDType, "MaxPool supports float and double, not \(x.dtype)")
        }
        let planes = x.shape[0] * x.shape[1], threads = ctx.threads
        if x.dtype == .float32 {
            let input = x.pointer(as: Float.self), output = y.pointer(as: Float.self)
            return { Pooling.maxPool(input: input, output: output, planes: planes, geometry: g, threads: threads) }
        }
        let input = x.pointer(as: Double.self), output = y.pointer(as: Double.self)
        return { Pooling.maxPool(input: input, output: output, planes: planes, geometry: g, threads: threads) }
    }

    /// MaxPool with the Indices output, or on int8/uint8 (converted to float and back).
    static func maxPoolGeneral(_ ctx: KernelContext) throws {
        let (x, y, g) = try poolSetup(ctx)
        let planes = x.shape[0] * x.shape[1]
        if ctx.outputs.count > 1, !ctx.node.outputs[1].isEmpty {
            let indices = ctx.outputs[1].pointer(as: Int64.self)
            let columnMajor = try ctx.node.int("storage_order", default: 0) != 0
            switch x.dtype {
            case .float32:
                MaxPoolWithIndices.run(input: x.pointer(as: Float.self), output: y.pointer(as: Float.self), indices: indices,
                                       planes: planes, geometry: g, columnMajor: columnMajor)
            case .float64:
                MaxPoolWithIndices.run(input: x.pointer(as: Double.self), output: y.pointer(as: Double.self), indices: indices,
                                       planes: planes, geometry: g, columnMajor: columnMajor)
            default:
                throw ctx.error(.unsupportedDType, "MaxPool with Indices supports float and double, not \(x.dtype)")
            }
            return
        }
        let wide = try ElementwiseLowering.converted(ctx, x, to: .float32), out = try Tensor.zeros(.float32, shape: y.shape)
        withExtendedLifetime(wide) {
            Pooling.maxPool(input: wide.pointer(as: Float.self), output: out.pointer(as: Float.self), planes: planes, geometry: g,
                            threads: ctx.threads)
        }
        try ElementwiseLowering.cast(ctx, out, into: y)
    }

    /// LpPool (float, double): the window and `p` as the schema resolved them, then `LpPooling`.
    static let lpPool = KernelBinding("LpPool") { ctx in
        let (x, y, g) = try poolSetup(ctx)
        let p = try ConvolutionOperators.lpPoolExponent(ctx.shapeContext)
        switch x.dtype {
        case .float32:
            LpPooling.run(input: x.pointer(as: Float.self), output: y.pointer(as: Float.self), planes: x.shape[0] * x.shape[1], geometry: g, p: p)
        case .float64:
            LpPooling.run(input: x.pointer(as: Double.self), output: y.pointer(as: Double.self), planes: x.shape[0] * x.shape[1], geometry: g, p: p)
        default:
            throw ctx.error(.unsupportedDType, "LpPool supports float and double, not \(x.dtype)")
        }
    }

    /// AveragePool (float, double) with count_include_pad, ceil_mode, dilations.
    static let averagePool = KernelBinding.prepared("AveragePool") { ctx in
        let (x, y, g) = try poolSetup(ctx)
        let includePad = try ctx.node.int("count_include_pad", default: 0) != 0
        guard x.dtype == .float32 || x.dtype == .float64 else {
            throw ctx.error(.unsupportedDType, "AveragePool supports float and double, not \(x.dtype)")
        }
        return {
        switch x.dtype {
        case .float32:
            Pooling.averagePool(input: x.pointer(as: Float.self), output: y.pointer(as: Float.self),
                                planes: x.shape[0] * x.shape[1], geometry: g, countIncludePad: includePad, threads: ctx.threads)
        case .float64:
            Pooling.averagePool(input: x.pointer(as: Double.self), output: y.pointer(as: Double.self),
                                planes: x.shape[0] * x.shape[1], geometry: g, countIncludePad: includePad, threads: ctx.threads)
        default:
            throw ctx.error(.unsupportedDType, "AveragePool supports float and double, not \(x.dtype)")
        }
        }
    }

    static let globalAveragePool = KernelBinding.prepared("GlobalAveragePool") { ctx in
        let x = try ctx.input(0), y = ctx.outputs[0]
        guard x.rank >= 3 else { throw ctx.error(.invalidShape, "GlobalAveragePool needs X [N, C, spatial...], got \(x.shape)") }
        let planes = x.shape[0] * x.shape[1], size = x.shape.dropFirst(2).reduce(1, *)
        guard x.dtype == .float32 || x.dtype == .float64 else {
            throw ctx.error(.unsupportedDType, "GlobalAveragePool supports float and double, not \(x.dtype)")
        }
        return {
        switch x.dtype {
        case .float32: GlobalPooling.average(input: x.pointer(as: Float.self), output: y.pointer(as: Float.self), planes: planes, planeSize: size)
        case .float64: GlobalPooling.average(input: x.pointer(as: Double.self), output: y.pointer(as: Double.self), planes: planes, planeSize: size)
        default: throw ctx.error(.unsupportedDType, "GlobalAveragePool supports float and double, not \(x.dtype)")
        }
        }
    }

    static let globalMaxPool = KernelBinding.prepared("GlobalMaxPool") { ctx in
        let x = try ctx.input(0), y = ctx.outputs[0]
        guard x.rank >= 3 else { throw ctx.error(.invalidShape, "GlobalMaxPool needs X [N, C, spatial...], got \(x.shape)") }
        let planes = x.shape[0] * x.shape[1], size = x.shape.dropFirst(2).reduce(1, *)
        guard x.dtype == .float32 || x.dtype == .float64 else {
            throw ctx.error(.unsupportedDType, "GlobalMaxPool supports float and double, not \(x.dtype)")
        }
        return {
        switch x.dtype {
        case .float32: GlobalPooling.max(input: x.pointer(as: Float.self), output: y.pointer(as: Float.self), planes: planes, planeSize: size)
        case .float64: GlobalPooling.max(input: x.pointer(as: Double.self), output: y.pointer(as: Double.self), planes: planes, planeSize: size)
        default: throw ctx.error(.unsupportedDType, "GlobalMaxPool supports float and double, not \(x.dtype)")
        }
        }
    }

    // MARK: - Shared setup

    private static func biasPointer(_ b: Tensor?, count: Int, _ ctx: KernelContext) throws -> UnsafePointer<Float>? {
        guard let b else { return nil }
        guard b.dtype == .float32, b.shape == [count] else {
            throw ctx.error(.invalidShape, "bias must be float [\(count)], got \(b.dtype)\(b.shape)")
        }
        return UnsafePointer(b.pointer(as: Float.self))
    }

    /// The kernels' view of a resolved window over concrete dims (at most
    /// `WindowGeometry.maxSpatialRank` spatial dims), checked against the allocated output.
    static func geometry(input: [Int], window: SpatialWindow, y: Tensor, _ ctx: KernelContext) throws -> WindowGeometry {
        guard input.count <= WindowGeometry.maxSpatialRank else {
            throw ctx.error(.unsupportedFeature, "\(input.count) spatial dims; at most \(WindowGeometry.maxSpatialRank) are supported")
        }
        let output = window.output.map { $0 ?? 0 }
        guard Array(y.shape.dropFirst(2)) == output,
              let g = WindowGeometry(input: input, output: output, kernel: window.kernel, strides: window.strides,
                                     dilations: window.dilations, padsBegin: window.padsBegin, padsEnd: window.padsEnd) else {
            throw ctx.error(.invalidShape, "output \(y.shape) does not match the computed window \(output)")
        }
        return g
    }

    /// X, Y and the window of a pool, resolved by the schema (`ConvolutionOperators.resolvePoolWindow`).
    private static func poolSetup(_ ctx: KernelContext) throws -> (Tensor, Tensor, WindowGeometry) {
        let x = try ctx.input(0), y = ctx.outputs[0]
        guard let window = try ConvolutionOperators.resolvePoolWindow(ctx.shapeContext) else {
            throw ctx.error(.invalidShape, "pooling needs X [N, C, spatial...], got \(x.shape)")
        }
        return (x, y, try geometry(input: Array(x.shape.dropFirst(2)), window: window, y: y, ctx))
    }
}
