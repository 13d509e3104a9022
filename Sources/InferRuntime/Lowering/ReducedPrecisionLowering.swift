import InferIR
import InferKernels

/// Runtime binding for `swiftinfer.BF16MatMul` (ReducedPrecisionOperators): the weights are
/// packed for the bf16 kernels once per session, each run rounds A to bf16 and multiplies on the
/// variant this CPU runs (`BF16Kernel.chosen`), then the FusedLinear epilogue.
package enum ReducedPrecisionLowering {
    /// The GEMM writes every output element, so static plans skip zeroing its output.
    package static let bindings: [KernelBinding] = [bf16MatMul]

    static let bf16MatMul = KernelBinding.prepared("BF16MatMul", domain: ReducedPrecisionOperators.domain) { ctx in
        let a = try ctx.input(0), w = try ctx.input(1), y = ctx.outputs[0]
        guard a.dtype == .float32, y.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "BF16MatMul computes float, got A \(a.dtype)")
        }
        guard w.dtype == .uint8, w.rank == 3, w.shape[2] == 2 else {
            throw ctx.error(.invalidShape, "W must be uint8 [K, N, 2], got \(w.dtype)\(w.shape)")
        }
        let (k, n) = (w.shape[0], w.shape[1])
        guard a.rank >= 1, a.shape.last == k else { throw ctx.error(.invalidShape, "A \(a.shape) does not have K = \(k) columns") }
        let m = k == 0 ? a.count : a.count / k
        guard y.count == m * n else { throw ctx.error(.invalidShape, "output \(y.shape) does not match A \(a.shape) x W [\(k), \(n)]") }
        // The bit patterns, read bytewise: an initializer's bytes need not be 2-byte aligned.
        let bytes = UnsafeRawPointer(w.rawPointer)
        let bits = (0..<(k * n)).map { bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian }
        let packed = bits.withUnsafeBufferPointer { PackedBF16Matrix(bits: $0.baseAddress!, k: k, n: n) }
        let bias = try columnBias(ctx, n: n)
        let epilogue = try Epilogue(ctx, output: y)
        let scratch = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: max(1, BF16Gemm.scratchCount(m: m, b: packed)))
        scratch.initialize(repeating: 0)
        let owner = ScratchOwner(scratch)
        let (ap, yp) = (UnsafePointer(a.pointer(as: Float.self)), y.pointer(as: Float.self))
        let needsPass = !epilogue.isEmpty || bias != nil
        let threads = ctx.threads
        return {
            epilogue.saveResidual()
            if k == 0 {
                yp.update(repeating: 0, count: m * n)
            } else {
                BF16Gemm.multiply(a: ap, lda: k, m: m, b: packed, c: yp, ldc: n, scratch: owner.buffer.baseAddress!, threads: threads)
            }
            if needsPass {
                epilogue.apply(yp, runs: m, runLength: n, bias: bias.map { .perColumn(UnsafePointer($0.pointer!)) } ?? .none)
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

    /// Frees the rounded-A scratch with the prepared kernel.
    private final class ScratchOwner: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<UInt16>
        init(_ buffer: UnsafeMutableBufferPointer<UInt16>) { self.buffer = buffer }
        deinit { buffer.deallocate() }
    }
}
