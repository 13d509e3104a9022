import InferIR
import InferKernels

/// Runtime bindings for `swiftinfer.BF16MatMul`, `swiftinfer.Int8MatMul` and
/// `swiftinfer.Int8Conv` (ReducedPrecisionOperators): the weights are packed for their kernels
/// once per session; each run rounds (bf16) or quantizes (int8) A and multiplies on the variant
/// this CPU runs (`BF16Kernel.chosen`, `Int8Kernel.chosen`), then the FusedLinear epilogue.
/// Int8Conv's input is already quantized (a QDQ model's uint8 activations).
package enum ReducedPrecisionLowering {
    /// The GEMMs write every output element, so static plans skip zeroing their outputs.
    package static let bindings: [KernelBinding] = [bf16MatMul, int8MatMul, int8Conv, quantizedAdd, quantizedDepthwiseConv]

    static let bf16MatMul = KernelBinding.prepared("BF16MatMul", domain: ReducedPrecisionOperators.domain) { ctx in
        let w = try ctx.input(1)
        guard w.dtype == .uint8, w.rank == 3, w.shape[2] == 2 else {
            throw ctx.error(.invalidShape, "W must be uint8 [K, N, 2], got \(w.dtype)\(w.shape)")
        }
        let (k, n) = (w.shape[0], w.shape[1])
        // The bit patterns, read bytewise: an initializer's bytes need not be 2-byte aligned.
        let bytes = UnsafeRawPointer(w.rawPointer)
        let bits = (0..<(k * n)).map { bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian }
        let packed = bits.withUnsafeBufferPointer { PackedBF16Matrix(bits: $0.baseAddress!, k: k, n: n) }
        let gemm = try ReducedGemm(ctx, k: k, n: n)
        let scratch = ScratchOwner(count: max(1, BF16Gemm.scratchCount(m: gemm.m, b: packed)), of: UInt16.self)
        return gemm.prepared(addsBias: false) { a, m, c, _, threads in
            BF16Gemm.multiply(a: a, lda: k, m: m, b: packed, c: c, ldc: n, scratch: scratch.pointer, threads: threads)
        }
    }

    static let int8MatMul = KernelBinding.prepared("Int8MatMul", domain: ReducedPrecisionOperators.domain) { ctx in
        let w = try ctx.input(1)
        guard w.dtype == .int8, w.rank == 2 else { throw ctx.error(.invalidShape, "W must be int8 [K, N], got \(w.dtype)\(w.shape)") }
        let (k, n) = (w.shape[0], w.shape[1])
        guard k <= PackedInt8Matrix.maximumDepth else {
            throw ctx.error(.invalidShape, "K = \(k) exceeds the int8 GEMM's exact int32 sums (\(PackedInt8Matrix.maximumDepth))")
        }
        guard let scales = ctx.optionalInput(4), scales.dtype == .float32, scales.count == n else {
            throw ctx.error(.invalidShape, "W_scale (input 4) must be float [\(n)]")
        }
        let modeName = try ctx.node.string("activation_quantization", default: "row")
        guard let activations = Int8Gemm.ActivationQuantization(rawValue: modeName) else {
            throw ctx.error(.invalidModel, "activation_quantization must be \"row\" or \"tensor\", got \"\(modeName)\"")
        }
        let packed = PackedInt8Matrix(values: w.pointer(as: Int8.self), scales: scales.pointer(as: Float.self), k: k, n: n)
        let gemm = try ReducedGemm(ctx, k: k, n: n)
        let scratch = Int8ScratchOwner(Int8Gemm.Scratch(m: gemm.m, b: packed))
        // The int8 kernel adds the bias as it stores: a bias-only epilogue costs no pass.
        return gemm.prepared(addsBias: true) { a, m, c, bias, threads in
            Int8Gemm.multiply(a: a, lda: k, m: m, b: packed, c: c, ldc: n, scratch: scratch.scratch, columnBias: bias,
                              activations: activations, threads: threads)
        }
    }

    static let int8Conv = KernelBinding.prepared("Int8Conv", domain: ReducedPrecisionOperators.domain) { ctx in
        let x = try ctx.input(0), w = try ctx.input(1), y = ctx.outputs[0]
        let outputType = try ReducedPrecisionOperators.int8ConvOutputType(ctx.shapeContext)
        guard x.dtype == .uint8, w.dtype == .int8, y.dtype == outputType else {
            throw ctx.error(.unsupportedDType, "Int8Conv needs X uint8, W int8 and Y \(outputType), got X \(x.dtype), W \(w.dtype), Y \(y.dtype)")
        }
        guard [1, 3, 4, 5, 6, 7].allSatisfy(ctx.inputValuesFixed) else {
            throw ctx.error(.invalidModel, "Int8Conv needs W, W_scale, X_scale, X_zero_point, Y_scale and Y_zero_point constant")
        }
        guard let resolved = try QuantizationOperators.resolveIntegerConv(ctx.shapeContext, x: 0, w: 1, bias: nil, output: outputType),
              resolved.outputType.staticDims == y.shape else {
            throw ctx.error(.invalidShape, "output \(y.shape) does not match the convolution of X \(x.shape) by W \(w.shape)")
        }
        guard resolved.group == 1 else { throw ctx.error(.unsupportedFeature, "Int8Conv has group 1 only, got \(resolved.group)") }
        let geometry = try ConvolutionLowering.geometry(input: Array(x.shape.dropFirst(2)), window: resolved.window, y: y, ctx)
        let (c, m) = (x.shape[1], w.shape[0])
        guard c * geometry.kernelSize <= Int8Convolution.maximumDepth else {
            throw ctx.error(.invalidShape, "K = \(c * geometry.kernelSize) exceeds the int8 GEMM's exact int32 sums (\(Int8Convolution.maximumDepth))")
        }
        let scales = try ctx.input(3), xScale = try ctx.input(4), xZero = try ctx.input(5)
        guard scales.dtype == .float32, scales.count == m else { throw ctx.error(.invalidShape, "W_scale must be float [\(m)], got \(scales.dtype)\(scales.shape)") }
        guard xScale.dtype == .float32, xScale.count == 1, xZero.dtype == .uint8, xZero.count == 1 else {
            throw ctx.error(.invalidShape, "X_scale and X_zero_point must be one float and one uint8, got \(xScale.dtype)\(xScale.shape), \(xZero.dtype)\(xZero.shape)")
        }
        let bias = ctx.optionalInput(2)
        if let bias, bias.dtype != .float32 || bias.count != m { throw ctx.error(.invalidShape, "B must be float [\(m)], got \(bias.dtype)\(bias.shape)") }
        let conv = Int8Convolution(weights: w.pointer(as: Int8.self), weightScales: scales.pointer(as: Float.self), inChannels: c,
                                   outChannels: m, geometry: geometry, inputScale: xScale.pointer(as: Float.self)[0],
                                   inputZero: xZero.pointer(as: UInt8.self)[0], threads: ctx.threads)
        let output: Int8Convolution.Output
        if let yScale = ctx.optionalInput(6) {
            let yZero = ctx.optionalInput(7)
            guard yScale.dtype == .float32, yScale.count == 1, yZero?.count ?? 1 == 1 else {
                throw ctx.error(.invalidShape, "Y_scale and Y_zero_point must be one value each, got \(yScale.shape), \(yZero?.shape ?? [])")
            }
            let scale = yScale.pointer(as: Float.self)[0]
            switch y.dtype {
            case .int8: output = .int8(y.pointer(as: Int8.self), scale: scale, zero: yZero?.pointer(as: Int8.self)[0] ?? 0)
            default: output = .uint8(y.pointer(as: UInt8.self), scale: scale, zero: yZero?.pointer(as: UInt8.self)[0] ?? 0)
            }
        } else {
            output = .float(y.pointer(as: Float.self))
        }
        let input = UnsafePointer(x.pointer(as: UInt8.self))
        let biasPointer = bias.map { UnsafePointer($0.pointer(as: Float.self)) }
        let (batch, threads) = (x.shape[0], ctx.threads)
        return { conv.run(input: input, bias: biasPointer, output: output, batch: batch, threads: threads) }
    }

    static let quantizedAdd = KernelBinding.prepared("QuantizedAdd", domain: ReducedPrecisionOperators.domain) { ctx in
        let a = try ctx.input(0), b = try ctx.input(3), y = ctx.outputs[0]
        guard a.dtype == b.dtype, a.dtype == y.dtype, a.dtype == .uint8 || a.dtype == .int8 else {
            throw ctx.error(.unsupportedDType, "QuantizedAdd needs A, B and Y of one 8-bit type, got \(a.dtype), \(b.dtype), \(y.dtype)")
        }
        guard a.shape == b.shape, a.shape == y.shape else {
            throw ctx.error(.invalidShape, "QuantizedAdd needs A, B and Y of one shape, got \(a.shape), \(b.shape), \(y.shape)")
        }
        guard [1, 2, 4, 5, 6, 7].allSatisfy(ctx.inputValuesFixed) else {
            throw ctx.error(.invalidModel, "QuantizedAdd needs its scales and zero points constant")
        }
        var scales: [Float] = []
        for index in [1, 4, 6] {
            let t = try ctx.input(index)
            guard t.dtype == .float32, t.count == 1 else { throw ctx.error(.invalidShape, "scale (input \(index)) must be one float, got \(t.dtype)\(t.shape)") }
            scales.append(t.pointer(as: Float.self)[0])
        }
        let zeros = try [2, 5, 7].map { index in
            let t = try ctx.input(index)
            guard t.dtype == a.dtype, t.count == 1 else { throw ctx.error(.invalidShape, "zero point (input \(index)) must be one \(a.dtype), got \(t.dtype)\(t.shape)") }
            return t
        }
        let (count, threads) = (y.count, ctx.threads)
        func prepared<Q: FixedWidthInteger & TensorScalar>(_: Q.Type) -> PreparedKernel {
            let pa = QuantizedAdd.Operand(UnsafePointer(a.pointer(as: Q.self)), scale: scales[0], zero: zeros[0].pointer(as: Q.self)[0])
            let pb = QuantizedAdd.Operand(UnsafePointer(b.pointer(as: Q.self)), scale: scales[1], zero: zeros[1].pointer(as: Q.self)[0])
            let (scale, zero, out) = (scales[2], zeros[2].pointer(as: Q.self)[0], y.pointer(as: Q.self))
            return { QuantizedAdd.run(pa, pb, count: count, scale: scale, zero: zero, into: out, threads: threads) }
        }
        return a.dtype == .uint8 ? prepared(UInt8.self) : prepared(Int8.self)
    }

    static let quantizedDepthwiseConv = KernelBinding.prepared("QuantizedDepthwiseConv", domain: ReducedPrecisionOperators.domain) { ctx in
        let x = try ctx.input(0), w = try ctx.input(1), y = ctx.outputs[0]
        guard x.dtype == .uint8, w.dtype == .float32, y.dtype == .uint8 || y.dtype == .int8 else {
            throw ctx.error(.unsupportedDType, "QuantizedDepthwiseConv needs X uint8, W float and Y 8-bit, got \(x.dtype), \(w.dtype), \(y.dtype)")
        }
        guard [1, 2, 3, 4, 5, 6].allSatisfy(ctx.inputValuesFixed) else {
            throw ctx.error(.invalidModel, "QuantizedDepthwiseConv needs W, B, the scales and zero points constant")
        }
        let asFloat = ShapeContext(node: ctx.node, opset: ctx.opset,
                                   inputTypes: [ValueType(dtype: .float32, shape: x.shape.map(Dim.value))] + ctx.inputs.dropFirst().map { $0?.type },
                                   inputValues: ctx.inputs)
        guard let resolved = try ConvolutionOperators.resolveConv(asFloat), resolved.outputType.staticDims == y.shape,
              x.rank == 4, resolved.group == x.shape[1], w.shape == [x.shape[1], 1, 3, 3] else {
            throw ctx.error(.invalidShape, "output \(y.shape) is not the depthwise 3x3 convolution of X \(x.shape) by W \(w.shape)")
        }
        let geometry = try ConvolutionLowering.geometry(input: Array(x.shape.dropFirst(2)), window: resolved.window, y: y, ctx)
        guard QuantizedDepthwiseConvolution.applies(to: geometry) else {
            throw ctx.error(.unsupportedFeature, "QuantizedDepthwiseConv runs 3x3 windows with stride 1 or 2 and no dilation")
        }
        let bias = ctx.optionalInput(2)
        if let bias, bias.dtype != .float32 || bias.count != x.shape[1] { throw ctx.error(.invalidShape, "B must be float [\(x.shape[1])], got \(bias.dtype)\(bias.shape)") }
        let xScale = try ctx.input(3), xZero = try ctx.input(4), yScale = try ctx.input(5), yZero = try ctx.input(6)
        guard [xScale, xZero, yScale, yZero].allSatisfy({ $0.count == 1 }), xScale.dtype == .float32, yScale.dtype == .float32,
              xZero.dtype == .uint8, yZero.dtype == y.dtype else {
            throw ctx.error(.invalidShape, "scales must be one float and zero points one value of X's and Y's type")
        }
        let conv = QuantizedDepthwiseConvolution(channels: x.shape[1], geometry: geometry, threads: ctx.threads)
        let input = UnsafePointer(x.pointer(as: UInt8.self)), weights = UnsafePointer(w.pointer(as: Float.self))
        let biasPointer = bias.map { UnsafePointer($0.pointer(as: Float.self)) }
        let (sx, zx, sy) = (xScale.pointer(as: Float.self)[0], xZero.pointer(as: UInt8.self)[0], yScale.pointer(as: Float.self)[0])
        let (batch, threads) = (x.shape[0], ctx.threads)
        if y.dtype == .int8 {
            let (out, zy) = (y.pointer(as: Int8.self), yZero.pointer(as: Int8.self)[0])
            return { conv.run(input: input, inputScale: sx, inputZero: zx, weights: weights, bias: biasPointer, output: out,
                              outputScale: sy, outputZero: zy, batch: batch, threads: threads) }
        }
        let (out, zy) = (y.pointer(as: UInt8.self), yZero.pointer(as: UInt8.self)[0])
        return { conv.run(input: input, inputScale: sx, inputZero: zx, weights: weights, bias: biasPointer, output: out,
                          outputScale: sy, outputZero: zy, batch: batch, threads: threads) }
    }

    /// What both GEMMs share around their multiply: A and Y checked against `[K, N]`, the bias
    /// (input 2) and the FusedLinear epilogue (residual input 3).
    private struct ReducedGemm {
        let m: Int
        let k: Int
        let n: Int
        let a: UnsafePointer<Float>
        let y: UnsafeMutablePointer<Float>
        let bias: FloatBuffer?
        let epilogue: Epilogue
        let threads: Int

        init(_ ctx: KernelContext, k: Int, n: Int) throws {
            let a = try ctx.input(0), y = ctx.outputs[0]
            guard a.dtype == .float32, y.dtype == .float32 else {
                throw ctx.error(.unsupportedDType, "\(ctx.node.opType) computes float, got A \(a.dtype)")
            }
            guard a.rank >= 1, a.shape.last == k else { throw ctx.error(.invalidShape, "A \(a.shape) does not have K = \(k) columns") }
            m = k == 0 ? a.count : a.count / k
            guard y.count == m * n else { throw ctx.error(.invalidShape, "output \(y.shape) does not match A \(a.shape) x W [\(k), \(n)]") }
            (self.k, self.n) = (k, n)
            self.a = UnsafePointer(a.pointer(as: Float.self))
            self.y = y.pointer(as: Float.self)
            bias = try Self.columnBias(ctx, n: n)
            epilogue = try Epilogue(ctx, output: y)
            threads = ctx.threads
        }

        /// The run step: `multiply(A, m, Y, bias, threads)` writes A x W into Y (plus the bias
        /// when `addsBias`, else it gets nil and the epilogue adds it), then the epilogue.
        func prepared(addsBias: Bool, _ multiply: @escaping (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>,
                                                               UnsafePointer<Float>?, Int) -> Void) -> PreparedKernel {
            let (a, y, m, n, k, threads, epilogue, biasOwner) = (a, y, m, n, k, threads, epilogue, bias)
            let biasPointer = bias.map { UnsafePointer($0.pointer!) }
            let kernelBias = addsBias && k > 0 ? biasPointer : nil
            let passBias = kernelBias == nil ? biasPointer : nil
            let needsPass = !epilogue.isEmpty || passBias != nil
            return {
                withExtendedLifetime(biasOwner) {}  // the closure keeps the bias its pointers address
                epilogue.saveResidual()
                if k == 0 { y.update(repeating: 0, count: m * n) } else { multiply(a, m, y, kernelBias, threads) }
                if needsPass {
                    epilogue.apply(y, runs: m, runLength: n, bias: passBias.map { .perColumn($0) } ?? .none)
                }
            }
        }

        /// Input 2, a float bias of N values (or one), copied out as N floats; nil when absent.
        private static func columnBias(_ ctx: KernelContext, n: Int) throws -> FloatBuffer? {
            guard let t = ctx.optionalInput(2) else { return nil }
            guard t.dtype == .float32, t.count == n || t.count == 1 else {
                throw ctx.error(.invalidShape, "bias must be float [\(n)], got \(t.dtype)\(t.shape)")
            }
            let values = t.pointer(as: Float.self), buffer = FloatBuffer(count: n)
            for j in 0..<n { buffer.pointer![j] = values[t.count == 1 ? 0 : j] }
            return buffer
        }
    }

    /// Frees a prepared kernel's zeroed scratch with it.
    private final class ScratchOwner<Element>: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Element>
        init(count: Int, of: Element.Type) where Element: FixedWidthInteger {
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
        }
        deinit { pointer.deallocate() }
    }

    /// Frees the int8 GEMM's scratch with the prepared kernel.
    private final class Int8ScratchOwner: @unchecked Sendable {
        let scratch: Int8Gemm.Scratch
        init(_ scratch: Int8Gemm.Scratch) { self.scratch = scratch }
        deinit { scratch.deallocate() }
    }
}
