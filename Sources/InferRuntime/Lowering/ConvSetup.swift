import InferIR
import InferKernels

/// What Conv and FusedConv lower to before any arithmetic: pointers, channel counts and the
/// window geometry. The attributes are parsed and checked once, by the schema's
/// `ConvolutionOperators.resolveConv` (the same function shape inference ran); this only adds
/// what the kernels need on top: float dtypes, the bias, the spatial-rank limit.
struct ConvSetup: @unchecked Sendable {
    let input: UnsafePointer<Float>
    let weights: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?
    let batch: Int
    let inChannels: Int
    let outChannels: Int
    let group: Int
    let geometry: WindowGeometry
    let threads: Int

    init(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), w = try ctx.input(1), y = ctx.outputs[0]
        guard x.dtype == .float32, w.dtype == .float32, y.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "supports float only, got X \(x.dtype), W \(w.dtype)")
        }
        guard let resolved = try ConvolutionOperators.resolveConv(ctx.shapeContext) else {
            throw ctx.error(.invalidShape, "needs X [N, C, spatial...] and W of the same rank, got X \(x.shape), W \(w.shape)")
        }
        let m = w.shape[0]
        if let b = ctx.optionalInput(2), b.dtype != .float32 || b.shape != [m] {
            throw ctx.error(.invalidShape, "bias must be float [\(m)], got \(b.dtype)\(b.shape)")
        }
        geometry = try ConvolutionLowering.geometry(input: Array(x.shape.dropFirst(2)), window: resolved.window, y: y, ctx)
        input = UnsafePointer(x.pointer(as: Float.self))
        weights = UnsafePointer(w.pointer(as: Float.self))
        output = y.pointer(as: Float.self)
        bias = ctx.optionalInput(2).map { UnsafePointer($0.pointer(as: Float.self)) }
        batch = x.shape[0]
        inChannels = x.shape[1]
        outChannels = m
        group = resolved.group
        threads = ctx.threads
    }

    var path: Convolution.Path { Convolution.path(inChannels: inChannels, group: group, geometry: geometry) }
    /// Floats of im2col scratch the convolution needs (0 unless it takes the im2col path).
    var scratchCount: Int { Convolution.scratchCount(inChannels: inChannels, group: group, geometry: geometry) }

    func convolve(bias: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>?, clamp: ConvolutionClamp? = nil) {
        Convolution.convolve(input: input, weights: weights, bias: bias, output: output, batch: batch,
                             inChannels: inChannels, outChannels: outChannels, group: group, geometry: geometry,
                             scratch: scratch, clamp: clamp, threads: threads)
    }
}
