import InferIR
import InferKernels

/// Runtime bindings for the fused ops (domain `swiftinfer`) of the FusedLinear family: the GEMM or
/// convolution through the same InferKernels paths as the standard ops, then the bias, activation
/// and residual in one pass over the output (`GemmEpilogue`). Setup (attributes, geometry, scratch)
/// happens once per session; the prepared kernel only computes.
package enum FusedLinearLowering {
    /// All three write every output element (the GEMM runs with beta 0 or over a filled C, the
    /// depthwise kernel writes each output once), so static plans skip zeroing their outputs.
    package static let bindings: [KernelBinding] = [fusedConv, fusedGemm, fusedMatMul]

    static let domain = FusedLinearOperators.domain

    /// Conv (the same setup as the standard op: `ConvSetup`) with the epilogue inside its pass
    /// over each output block.
    static let fusedConv = KernelBinding.prepared("FusedConv", domain: domain) { ctx in
        let conv = try ConvSetup(ctx)
        let epilogue = try Epilogue(ctx, output: ctx.outputs[0])
        let scratch = FloatBuffer(count: conv.scratchCount)
        let bias = conv.bias
        return {
            epilogue.saveResidual()
            conv.convolve(bias: bias, scratch: scratch.pointer, tail: epilogue.tail)
        }
    }

    /// Gemm semantics (alpha, beta, transA, transB, C broadcast) plus the epilogue.
    static let fusedGemm = KernelBinding.prepared("FusedGemm", domain: domain) { ctx in
        let a = try ctx.input(0), b = try ctx.input(1), y = ctx.outputs[0]
        guard a.dtype == .float32, b.dtype == .float32, y.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "FusedGemm supports float only, got A \(a.dtype), B \(b.dtype)")
        }
        // The same attributes and shape checks as the plain Gemm.
        let gemm = try GemmOperands(ctx, checkingLegacyBias: false)
        let (transA, transB, alpha, beta, c) = (gemm.transA, gemm.transB, gemm.alpha, gemm.beta, gemm.c)
        let (m, n, k) = (gemm.m, gemm.n, gemm.k)
        let epilogue = try Epilogue(ctx, output: y)
        // A per-column C with beta 1 is the epilogue's bias: no separate fill pass.
        let columnBias = c.flatMap { cv in beta == 1 && !epilogue.isEmpty && cv.count == n && (cv.rank == 1 || cv.shape[0] == 1)
            ? UnsafePointer(cv.pointer(as: Float.self)) : nil }
        let fill = columnBias == nil ? c : nil
        let strides = fill.map { Broadcasting.strides(of: $0.shape, broadcastTo: [m, n]) } ?? [0, 0]
        // Constant weights whose row stride is a 4 KiB multiple run from a padded copy.
        let paddedB = ctx.inputValuesFixed(1) ? PaddedWeights.padded(b) : nil
        let (ap, yp) = (UnsafePointer(a.pointer(as: Float.self)), y.pointer(as: Float.self))
        let bp = paddedB?.pointer ?? UnsafePointer(b.pointer(as: Float.self))
        let fp = fill.map { UnsafePointer($0.pointer(as: Float.self)) }
        let (lda, ldb) = (max(1, a.shape[1]), paddedB?.leadingDimension ?? max(1, b.shape[1]))
        let threads = ctx.threads
        return {
            _ = paddedB  // kept alive with the kernel
            epilogue.saveResidual()
            if let fp { BroadcastFill.fill(yp, rows: m, cols: n, from: fp, rowStride: strides[0], colStride: strides[1]) }
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: ap, lda: lda, b: bp, ldb: ldb,
                      beta: fp == nil ? 0 : beta, c: yp, ldc: max(1, n), threads: threads)
            if !epilogue.isEmpty {
                epilogue.apply(yp, runs: m, runLength: n, bias: columnBias.map { .perColumn($0) } ?? .none)
            }
        }
    }

    /// numpy.matmul of op(A), op(B) (transA / transB swap the last two dims) + bias per column + epilogue.
    static let fusedMatMul = KernelBinding.prepared("FusedMatMul", domain: domain) { ctx in
        let a = try ctx.input(0), b = try ctx.input(1), y = ctx.outputs[0]
        guard a.dtype == .float32, b.dtype == .float32, y.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "FusedMatMul supports float only, got A \(a.dtype), B \(b.dtype)")
        }
        let (transA, transB) = try LinearAlgebraOperators.transposes(ctx.shapeContext)
        let plan = try MatMulPlan(a.shape, b.shape, transA: transA, transB: transB, ctx)
        let (m, n, k) = (plan.m, plan.n, plan.k)
        guard y.count == plan.aOffsets.count * m * n else {
            throw ctx.error(.invalidShape, "output \(y.shape) does not match op(A) \(a.shape) x op(B) \(b.shape)")
        }
        let bias: FloatBuffer?
        if let t = ctx.optionalInput(2) {
            guard t.dtype == .float32, t.count == n || t.count == 1, t.shape.dropLast().allSatisfy({ $0 == 1 }) else {
                throw ctx.error(.invalidShape, "bias must be float [\(n)], got \(t.dtype)\(t.shape)")
            }
            let values = t.pointer(as: Float.self)
            let buffer = FloatBuffer(count: n)
            for j in 0..<n { buffer.pointer![j] = values[t.count == 1 ? 0 : j] }
            bias = buffer
        } else {
            bias = nil
        }
        let epilogue = try Epilogue(ctx, output: y)
        // A constant 2-D B whose row stride is a 4 KiB multiple runs from a padded copy.
        let paddedB = ctx.inputValuesFixed(1) && b.rank == 2 ? PaddedWeights.padded(b) : nil
        let (ap, yp) = (UnsafePointer(a.pointer(as: Float.self)), y.pointer(as: Float.self))
        let bp = paddedB?.pointer ?? UnsafePointer(b.pointer(as: Float.self))
        let ldb = paddedB?.leadingDimension ?? plan.ldb
        let needsPass = !epilogue.isEmpty || bias != nil
        let threads = ctx.threads
        return {
            _ = paddedB  // kept alive with the kernel
            epilogue.saveResidual()
            BLAS.gemmBatched(transA: plan.transA, transB: plan.transB, m: m, n: n, k: k, alpha: 1,
                             a: ap, lda: plan.lda, aOffsets: plan.aOffsets, b: bp, ldb: ldb, bOffsets: plan.bOffsets,
                             beta: 0, c: yp, ldc: max(1, n), threads: threads)
            if needsPass {
                epilogue.apply(yp, runs: n == 0 ? 0 : y.count / n, runLength: n,
                               bias: bias.map { .perColumn(UnsafePointer($0.pointer!)) } ?? .none)
            }
        }
    }
}

/// The fused node's activation and residual, resolved once. When the residual's bytes overlap the
/// output (a memory plan may hand a dying input's bytes to the output), it is copied aside before
/// the GEMM overwrites them.
struct Epilogue: @unchecked Sendable {
    /// The activation and residual, with the residual pointing at the copy when one is made.
    let tail: GemmEpilogue.Tail
    let threads: Int
    private let source: UnsafePointer<Float>?
    private let copy: FloatBuffer?

    var isEmpty: Bool { tail.isEmpty }

    init(_ ctx: KernelContext, output y: Tensor) throws {
        let activation = try Self.unaryOp(FusedActivation(ctx.node), ctx)
        threads = ctx.threads
        let residualBeforeActivation = try ctx.node.int("residual_before_activation", default: 0) != 0
        guard try FusedLinearOperators.hasResidual(ctx.shapeContext) else {
            tail = GemmEpilogue.Tail(activation: activation)
            source = nil; copy = nil
            return
        }
        let r = try ctx.input(3)
        guard r.dtype == .float32, r.shape == y.shape else {
            throw ctx.error(.invalidShape, "residual \(r.dtype)\(r.shape) does not match the output \(y.shape)")
        }
        let rStart = r.rawPointer, yStart = UnsafeRawPointer(y.mutableRawPointer)
        let overlaps = rStart < yStart + y.byteCount && yStart < rStart + r.byteCount && r.count > 0
        let rp = UnsafePointer(r.pointer(as: Float.self))
        let residual: UnsafePointer<Float>
        if overlaps {
            let buffer = FloatBuffer(count: r.count)
            copy = buffer
            source = rp
            residual = UnsafePointer(buffer.pointer!)
        } else {
            copy = nil
            source = nil
            residual = rp
        }
        tail = GemmEpilogue.Tail(activation: activation, residual: residual, residualBeforeActivation: residualBeforeActivation)
    }

    /// Copies an overlapping residual aside; a no-op otherwise. Call before the GEMM writes.
    func saveResidual() {
        if let copy, let source, let p = copy.pointer { p.update(from: source, count: copy.count) }
    }

    func apply(_ y: UnsafeMutablePointer<Float>, runs: Int, runLength: Int, bias: GemmEpilogue.BiasLayout) {
        GemmEpilogue.apply(output: y, runs: runs, runLength: runLength, bias: bias, tail: tail, threads: threads)
    }

    static func unaryOp(_ a: FusedActivation, _ ctx: KernelContext) throws -> UnaryOp? {
        let p = a.params
        switch a.name {
        case "": return nil
        case "Relu": return .relu
        case "Sigmoid": return .sigmoid
        case "Silu": return .silu
        case "Tanh": return .tanh
        case "HardSwish": return .hardSwish
        case "Gelu": return .gelu(tanhApproximation: false)
        case "GeluTanh": return .gelu(tanhApproximation: true)
        case "Clip": return .clip(low: Double(p[0]), high: Double(p[1]))
        case "LeakyRelu": return .leakyRelu(alpha: p[0])
        case "HardSigmoid": return .hardSigmoid(alpha: p[0], beta: p[1])
        default: throw ctx.error(.invalidModel, "unknown fused activation \"\(a.name)\"")
        }
    }
}
