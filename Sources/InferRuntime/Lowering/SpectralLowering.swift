import InferIR
import InferKernels

/// Runtime bindings for `SpectralOperators`: DFT and STFT transform in Double (see
/// InferKernels' `discreteFourierTransform`), MelWeightMatrix builds its filter bank in Double.
package enum SpectralLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("DFT") { ctx in try dft(ctx) },
        KernelBinding("STFT") { ctx in try stft(ctx) },
        KernelBinding("MelWeightMatrix") { ctx in try melWeightMatrix(ctx) },
    ]

    /// The signal as interleaved complex Doubles: [..., 1] gets zero imaginary parts.
    static func complexValues(_ t: Tensor) -> [Double] {
        let values = t.doubleValues()
        guard t.shape.last == 1 else { return values }
        var result = [Double](repeating: 0, count: values.count * 2)
        for (i, v) in values.enumerated() { result[2 * i] = v }
        return result
    }

    static func dft(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), out = ctx.outputs[0]
        let length: Tensor?? = ctx.node.inputs.count > 1 && !ctx.node.inputs[1].isEmpty ? .some(ctx.optionalInput(1)) : .none
        let axis: Tensor?? = ctx.opset >= 20 && ctx.node.inputs.count > 2 && !ctx.node.inputs[2].isEmpty ? .some(ctx.optionalInput(2)) : .none
        guard let s = try SpectralOperators.dftShape(ctx.node, opset: ctx.opset, shape: x.shape, dftLength: length, axisValue: axis) else {
            throw ctx.error(.invalidModel, "DFT: dft_length or axis input is missing")
        }
        let outer = x.shape[..<s.axis].reduce(1, *), inner = x.shape[(s.axis + 1)..<(x.rank - 1)].reduce(1, *)
        let plan = DFTPlan(outer: outer, inLength: x.shape[s.axis], inner: inner, length: s.length, outLength: s.outLength,
                           inverse: s.inverse, halfSpectrumInput: s.inverse && s.onesided)
        guard out.count == outer * s.outLength * inner * plan.outComponents else {
            throw ctx.error(.invalidShape, "DFT: output \(out.shape) does not match the transform")
        }
        let input = complexValues(x)
        var result = [Double](repeating: 0, count: out.count)
        input.withUnsafeBufferPointer { i in
            result.withUnsafeMutableBufferPointer { o in
                guard let ip = i.baseAddress, let op = o.baseAddress else { return }
                discreteFourierTransform(plan, input: ip, output: op)
            }
        }
        try storeDoubles(result, into: out, ctx)
    }

    static func stft(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), out = ctx.outputs[0]
        guard let step = try ctx.input(1).intValues().first else { throw ctx.error(.invalidShape, "frame_step is empty") }
        let window = ctx.optionalInput(2)
        let frameLength = ctx.optionalInput(3)?.intValues().first
        let s = try SpectralOperators.stftShape(ctx.node, opset: ctx.opset, signal: x.shape, step: step,
                                                window: window?.shape, frameLength: frameLength)
        let batch = x.shape[0], length = x.shape[1], n = s.frameLength
        let signal = complexValues(x)
        let weights = window?.doubleValues() ?? [Double](repeating: 1, count: n)
        // Windowed frames laid out [batch * frames, frameLength, 1, 2], transformed along the middle axis.
        var frames = [Double](repeating: 0, count: batch * s.frames * n * 2)
        for b in 0..<batch {
            for f in 0..<s.frames {
                for t in 0..<n {
                    let src = (b * length + f * s.step + t) * 2, dst = ((b * s.frames + f) * n + t) * 2
                    frames[dst] = signal[src] * weights[t]
                    frames[dst + 1] = signal[src + 1] * weights[t]
                }
            }
        }
        let plan = DFTPlan(outer: batch * s.frames, inLength: n, inner: 1, length: n, outLength: s.bins,
                           inverse: false, halfSpectrumInput: false)
        guard out.count == batch * s.frames * s.bins * 2 else {
            throw ctx.error(.invalidShape, "STFT: output \(out.shape) does not match the framing")
        }
        var result = [Double](repeating: 0, count: out.count)
        frames.withUnsafeBufferPointer { i in
            result.withUnsafeMutableBufferPointer { o in
                guard let ip = i.baseAddress, let op = o.baseAddress else { return }
                discreteFourierTransform(plan, input: ip, output: op)
            }
        }
        try storeDoubles(result, into: out, ctx)
    }

    static func melWeightMatrix(_ ctx: KernelContext) throws {
        func scalar(_ i: Int) throws -> Double {
            guard let v = try ctx.input(i).doubleValues().first else { throw ctx.error(.invalidShape, "input \(i) is empty") }
            return v
        }
        let bins = Int(try scalar(0)), length = Int(try scalar(1)), rate = Int(try scalar(2))
        guard bins >= 1, length >= 1, rate >= 1 else {
            throw ctx.error(.invalidShape, "num_mel_bins, dft_length and sample_rate must be >= 1")
        }
        guard let values = InferKernels.melWeightMatrix(melBins: bins, dftLength: length, sampleRate: rate,
                                                        lowerHertz: try scalar(3), upperHertz: try scalar(4)) else {
            throw ctx.error(.invalidShape, "mel filter edges fall outside the \(length / 2 + 1) spectrogram bins")
        }
        try storeDoubles(values, into: ctx.outputs[0], ctx)
    }
}
