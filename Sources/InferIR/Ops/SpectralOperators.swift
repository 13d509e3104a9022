/// Shape inference for the spectral operators DFT (17; 20 moved `axis` from an attribute to an
/// input), STFT (17) and MelWeightMatrix (17). Kernels in the runtime's Lowering/SpectralLowering.swift.
package enum SpectralOperators {
    package static let schemas: [OperatorSchema] = [dft, stft, melWeightMatrix]

    static let floats: Set<DType> = [.float32, .float64]

    /// The resolved transform of one DFT node: axis (non-negative), transform length, output length.
    package struct DFTShape {
        package var axis: Int, length: Int, outLength: Int, inverse: Bool, onesided: Bool
        /// Components of the output's last dim: 1 for an inverse one-sided (real) result.
        package var outComponents: Int { inverse && onesided ? 1 : 2 }
    }

    /// Resolves the DFT's axis and lengths for an input of `shape`; nil when an input value it
    /// needs (dft_length, opset-20 axis) is unknown.
    package static func dftShape(_ node: Node, opset: Int, shape: [Int], dftLength: Tensor??, axisValue: Tensor??) throws -> DFTShape? {
        func fail(_ m: String) -> InferError { InferError.at(node, opset: opset, .invalidShape, m) }
        let rank = shape.count
        guard rank >= 2, shape[rank - 1] == 1 || shape[rank - 1] == 2 else {
            throw fail("input must be [..., signal, 1 or 2] (real or complex), got \(shape)")
        }
        var axis: Int
        if opset >= 20 {
            switch axisValue {
            case .none: axis = -2
            case .some(.none): return nil
            case .some(.some(let t)):
                guard t.count == 1, let a = t.intValues().first else { throw fail("axis must be a scalar") }
                axis = a
            }
        } else {
            axis = try node.int("axis", default: 1)
        }
        if axis < 0 { axis += rank }
        guard axis >= 0, axis <= rank - 2 else { throw fail("axis \(axis) is out of range for rank \(rank) (the last dim holds the components)") }
        let inverse = try node.int("inverse", default: 0) != 0
        let onesided = try node.int("onesided", default: 0) != 0
        var length: Int
        switch dftLength {
        case .none: length = inverse && onesided ? 2 * (shape[axis] - 1) : shape[axis]
        case .some(.none): return nil
        case .some(.some(let t)):
            guard t.count == 1, let n = t.intValues().first else { throw fail("dft_length must be a scalar") }
            length = n
        }
        guard length >= 1 else { throw fail("dft_length must be >= 1, got \(length)") }
        let outLength = onesided && !inverse ? length / 2 + 1 : length
        return DFTShape(axis: axis, length: length, outLength: outLength, inverse: inverse, onesided: onesided)
    }

    static let dft = OperatorSchema("DFT", since: 17) { ctx in
        let x = try ctx.type(0)
        try ElementwiseOperators.require(ctx, x.dtype, in: floats, "input")
        if ctx.hasInput(1) { try ElementwiseOperators.require(ctx, try ctx.type(1).dtype, in: [.int32, .int64], "dft_length") }
        if ctx.opset >= 20, ctx.hasInput(2) { try ElementwiseOperators.require(ctx, try ctx.type(2).dtype, in: [.int64], "axis") }
        guard let sx = x.staticDims else { return [ValueType(dtype: x.dtype, shape: x.shape.map { $0.map { _ in .unknown } })] }
        let length: Tensor?? = ctx.hasInput(1) ? .some(ctx.value(1)) : .none
        let axis: Tensor?? = ctx.opset >= 20 && ctx.hasInput(2) ? .some(ctx.value(2)) : .none
        guard let s = try dftShape(ctx.node, opset: ctx.opset, shape: sx, dftLength: length, axisValue: axis) else {
            return [ValueType(dtype: x.dtype, shape: Array(repeating: .unknown, count: sx.count))]
        }
        var out = sx
        out[s.axis] = s.outLength
        out[sx.count - 1] = s.outComponents
        return [ValueType(dtype: x.dtype, dims: out)]
    }

    /// Resolved STFT framing: frames, frame length, bins.
    package struct STFTShape { package var frames: Int, frameLength: Int, step: Int, bins: Int }

    package static func stftShape(_ node: Node, opset: Int, signal: [Int], step: Int, window: [Int]?, frameLength: Int?) throws -> STFTShape {
        func fail(_ m: String) -> InferError { InferError.at(node, opset: opset, .invalidShape, m) }
        guard signal.count == 3, signal[2] == 1 || signal[2] == 2 else {
            throw fail("signal must be [batch, length, 1 or 2], got \(signal)")
        }
        guard step >= 1 else { throw fail("frame_step must be >= 1, got \(step)") }
        if let window, window.count != 1 { throw fail("window must be 1-D, got \(window)") }
        let length = frameLength ?? window?[0] ?? signal[1]
        if let window, window[0] != length { throw fail("window has \(window[0]) values but frame_length is \(length)") }
        guard length >= 1, length <= signal[1] else { throw fail("frame_length \(length) must be in 1...\(signal[1])") }
        let onesided = try node.int("onesided", default: 1) != 0
        return STFTShape(frames: 1 + (signal[1] - length) / step, frameLength: length, step: step,
                         bins: onesided ? length / 2 + 1 : length)
    }

    static let stft = OperatorSchema("STFT", since: 17) { ctx in
        let x = try ctx.type(0)
        try ElementwiseOperators.require(ctx, x.dtype, in: floats, "signal")
        try ElementwiseOperators.require(ctx, try ctx.type(1).dtype, in: [.int32, .int64], "frame_step")
        if ctx.hasInput(2), try ctx.type(2).dtype != x.dtype { throw ctx.error(.dtypeMismatch, "window must have the signal's type") }
        if ctx.hasInput(3) { try ElementwiseOperators.require(ctx, try ctx.type(3).dtype, in: [.int32, .int64], "frame_length") }
        let unknown = ValueType(dtype: x.dtype, shape: [x.shape?.first ?? .unknown, .unknown, .unknown, .value(2)])
        guard let sx = x.staticDims, let step = ctx.value(1)?.intValues().first else { return [unknown] }
        var window: [Int]?
        if ctx.hasInput(2) { guard let w = try ctx.type(2).staticDims else { return [unknown] }; window = w }
        var frameLength: Int?
        if ctx.hasInput(3) { guard let f = ctx.value(3)?.intValues().first else { return [unknown] }; frameLength = f }
        let s = try stftShape(ctx.node, opset: ctx.opset, signal: sx, step: step, window: window, frameLength: frameLength)
        return [ValueType(dtype: x.dtype, dims: [sx[0], s.frames, s.bins, 2])]
    }

    static let melWeightMatrix = OperatorSchema("MelWeightMatrix", since: 17) { ctx in
        for i in 0..<3 { try ElementwiseOperators.require(ctx, try ctx.type(i).dtype, in: [.int32, .int64], "input \(i)") }
        for i in 3..<5 { try ElementwiseOperators.require(ctx, try ctx.type(i).dtype, in: floats, "input \(i)") }
        let code = try ctx.node.int("output_datatype", default: 1)
        guard let dtype = DType(onnxCode: code) else {
            throw ctx.error(.unsupportedDType, "output_datatype \(DType.onnxTypeName(code: code)) is not supported")
        }
        guard let bins = ctx.value(0)?.intValues().first, let length = ctx.value(1)?.intValues().first else {
            return [ValueType(dtype: dtype, shape: [.unknown, .unknown])]
        }
        guard bins >= 1, length >= 1 else { throw ctx.error(.invalidShape, "num_mel_bins and dft_length must be >= 1") }
        return [ValueType(dtype: dtype, dims: [length / 2 + 1, bins])]
    }
}
