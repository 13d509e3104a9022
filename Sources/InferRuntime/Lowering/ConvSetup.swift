import InferIR
import InferKernels

/// What Conv and FusedConv lower to before any arithmetic: pointers, channel counts and the
/// window geometry. The attributes are parsed and checked once, by the schema's
/// `ConvolutionOperators.resolveConv` (the same function shape inference ran); this only adds
/// what the kernels need on top: float dtypes, the bias, the spatial-rank limit, and the
/// algorithm (`Convolution.algorithm`), with Winograd's transformed filter made here, once.
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
    let path: Convolution.Path
    /// Winograd's filter, `WinogradConvolution.transformWeights` of `weights` (nil on other paths).
    private let transformedWeights: FloatBuffer?

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
        path = Convolution.algorithm(inChannels: inChannels, outChannels: outChannels, group: group, geometry: geometry,
                                     weightsFixed: ctx.inputValuesFixed(1))
        if path == .winograd {
            let u = FloatBuffer(count: WinogradConvolution.transformedWeightCount(inChannels: inChannels, outChannels: outChannels))
            WinogradConvolution.transformWeights(weights, outChannels: outChannels, inChannels: inChannels, into: u.pointer!)
            transformedWeights = u
        } else {
            transformedWeights = nil
        }
    }

    /// The algorithm a Conv / FusedConv step of a planned program runs, from its slots' shapes:
    /// what `compile --report` lists per convolution. The same `Convolution.algorithm` call as
    /// `init`, whose `ctx.inputValuesFixed(1)` is true exactly when W's slot is a constant.
    static func algorithm(of step: Program.Step) -> Convolution.Path? {
        guard step.node.opType == "Conv" || step.node.opType == "FusedConv", step.inputs.count >= 2,
              step.outputs.first.map({ $0 != nil }) == true else { return nil }
        func type(_ slot: Program.Slot?) -> ValueType? {
            switch slot {
            case .arena(_, let dtype, let shape)?: ValueType(dtype: dtype, dims: shape)
            case .constant(let t)?: t.type
            default: nil
            }
        }
        let values: [Tensor?] = step.inputs.map { if case .constant(let t)? = $0 { t } else { nil } }
        let context = ShapeContext(node: step.node, opset: step.opset, inputTypes: step.inputs.map(type), inputValues: values)
        guard let x = type(step.inputs[0])?.staticDims, let w = type(step.inputs[1])?.staticDims, x.count >= 3,
              let resolved = try? ConvolutionOperators.resolveConv(context),
              let g = WindowGeometry(input: Array(x.dropFirst(2)), output: resolved.window.output.map { $0 ?? 0 },
                                     kernel: resolved.window.kernel, strides: resolved.window.strides,
                                     dilations: resolved.window.dilations, padsBegin: resolved.window.padsBegin,
                                     padsEnd: resolved.window.padsEnd) else { return nil }
        return Convolution.algorithm(inChannels: x[1], outChannels: w[0], group: resolved.group, geometry: g,
                                     weightsFixed: values[1] != nil)
    }

    /// Floats of scratch the convolution needs (im2col's columns, Winograd's transformed tiles).
    var scratchCount: Int {
        path == .winograd
            ? WinogradConvolution.scratchCount(inChannels: inChannels, outChannels: outChannels, geometry: geometry)
            : Convolution.scratchCount(inChannels: inChannels, group: group, geometry: geometry)
    }

    /// Y = tail(conv(X, W) + bias), the tail inside the kernel's own pass over each output block.
    func convolve(bias: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>?, tail: GemmEpilogue.Tail = .none) {
        if path == .winograd, let u = transformedWeights?.pointer, let scratch {
            WinogradConvolution.convolve(input: input, transformedWeights: u, bias: bias, output: output, batch: batch,
                                         inChannels: inChannels, outChannels: outChannels, geometry: geometry,
                                         scratch: scratch, tail: tail, threads: threads)
            return
        }
        Convolution.convolve(input: input, weights: weights, bias: bias, output: output, batch: batch,
                             inChannels: inChannels, outChannels: outChannels, group: group, geometry: geometry,
                             scratch: scratch, tail: tail, threads: threads)
    }
}
