import InferIR
import InferKernels

/// Runtime bindings for the LinearAlgebra family: attributes in, `InferKernels` calls out.
package enum LinearAlgebraLowering {
    package static let bindings: [KernelBinding] = [matMul, gemm]

    /// numpy.matmul: 1-D operands, broadcast batch dims; BLAS (GEMV when M or N is 1) for
    /// floats, plain loops for int32/int64.
    /// Prepared: the batch offsets are computed once; each run is the BLAS calls only.
    static let matMul = KernelBinding.prepared("MatMul") { ctx in
        let a = try ctx.input(0), b = try ctx.input(1), y = ctx.outputs[0]
        guard a.dtype == b.dtype else { throw ctx.error(.dtypeMismatch, "A is \(a.dtype) but B is \(b.dtype)") }
        let plan = try MatMulPlan(a.shape, b.shape, ctx)
        guard y.count == plan.aOffsets.count * plan.m * plan.n else {
            throw ctx.error(.invalidShape, "output \(y.shape) does not match A \(a.shape) x B \(b.shape)")
        }
        let (m, n, k) = (plan.m, plan.n, plan.k)
        let threads = ctx.threads
        guard [.float32, .float64, .int32, .int64].contains(a.dtype) else {
            throw ctx.error(.unsupportedDType, "MatMul supports float, double, int32 and int64, not \(a.dtype)")
        }
        return {
        switch a.dtype {
        case .float32:
            BLAS.gemmBatched(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                             a: a.pointer(as: Float.self), lda: max(1, k), aOffsets: plan.aOffsets,
                             b: b.pointer(as: Float.self), ldb: max(1, n), bOffsets: plan.bOffsets,
                             beta: 0, c: y.pointer(as: Float.self), ldc: max(1, n), threads: threads)
        case .float64:
            BLAS.gemmBatched(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                             a: a.pointer(as: Double.self), lda: max(1, k), aOffsets: plan.aOffsets,
                             b: b.pointer(as: Double.self), ldb: max(1, n), bOffsets: plan.bOffsets,
                             beta: 0, c: y.pointer(as: Double.self), ldc: max(1, n), threads: threads)
        case .int32:
            IntegerMatMul.run(a: a.pointer(as: Int32.self), aOffsets: plan.aOffsets, b: b.pointer(as: Int32.self),
                              bOffsets: plan.bOffsets, c: y.pointer(as: Int32.self), m: m, n: n, k: k)
        case .int64:
            IntegerMatMul.run(a: a.pointer(as: Int64.self), aOffsets: plan.aOffsets, b: b.pointer(as: Int64.self),
                              bOffsets: plan.bOffsets, c: y.pointer(as: Int64.self), m: m, n: n, k: k)
        default:
            throw ctx.error(.unsupportedDType, "MatMul supports float, double, int32 and int64, not \(a.dtype)")
        }
        }
    }

    /// Gemm: Y = alpha * op(A) * op(B) + beta * C, C broadcast to [M, N] (optional from opset 11;
    /// before opset 7 only with `broadcast` = 1).
    /// Prepared: attributes, shapes and C's broadcast strides resolved once.
    static let gemm = KernelBinding.prepared("Gemm") { ctx in
        let a = try ctx.input(0), b = try ctx.input(1), y = ctx.outputs[0]
        guard a.dtype == b.dtype else { throw ctx.error(.dtypeMismatch, "A is \(a.dtype) but B is \(b.dtype)") }
        let gemm = try GemmOperands(ctx, checkingLegacyBias: true)
        let (transA, transB, alpha, beta, c) = (gemm.transA, gemm.transB, gemm.alpha, gemm.beta, gemm.c)
        let (m, n, k) = (gemm.m, gemm.n, gemm.k)
        let strides = c.map { Broadcasting.strides(of: $0.shape, broadcastTo: [m, n]) } ?? [0, 0]
        let lda = max(1, a.shape[1]), ldb = max(1, b.shape[1]), ldc = max(1, n)
        guard a.dtype == .float32 || a.dtype == .float64 else {
            throw ctx.error(.unsupportedDType, "Gemm supports float and double, not \(a.dtype)")
        }
        let rowStride = strides[0], colStride = strides[1], threads = ctx.threads
        return {
        switch a.dtype {
        case .float32:
            if let c { BroadcastFill.fill(y.pointer(as: Float.self), rows: m, cols: n, from: c.pointer(as: Float.self),
                                          rowStride: rowStride, colStride: colStride) }
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.pointer(as: Float.self), lda: lda,
                      b: b.pointer(as: Float.self), ldb: ldb, beta: c == nil ? 0 : beta, c: y.pointer(as: Float.self), ldc: ldc,
                      threads: threads)
        case .float64:
            if let c { BroadcastFill.fill(y.pointer(as: Double.self), rows: m, cols: n, from: c.pointer(as: Double.self),
                                          rowStride: rowStride, colStride: colStride) }
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: Double(alpha), a: a.pointer(as: Double.self),
                      lda: lda, b: b.pointer(as: Double.self), ldb: ldb, beta: c == nil ? 0 : Double(beta),
                      c: y.pointer(as: Double.self), ldc: ldc, threads: threads)
        default:
            throw ctx.error(.unsupportedDType, "Gemm supports float and double, not \(a.dtype)")
        }
        }
    }
}

/// Gemm's attributes and operand shapes, read and checked once per session; the plain Gemm and
/// FusedGemm (FusedLinearKernels) share them. Element types are the caller's to check.
struct GemmOperands {
    let transA: Bool, transB: Bool
    let alpha: Float, beta: Float
    /// op(A) is [m, k], op(B) [k, n], Y [m, n].
    let m: Int, n: Int, k: Int
    /// C (input 2), checked to broadcast to [M, N]; nil when absent or when beta is 0.
    let c: Tensor?

    /// `checkingLegacyBias`: apply ONNX Gemm's pre-opset-7 rule on C's shape (not for fused ops,
    /// whose domain has its own opsets).
    init(_ ctx: KernelContext, checkingLegacyBias: Bool) throws {
        let a = try ctx.input(0), b = try ctx.input(1), y = ctx.outputs[0]
        guard a.rank == 2, b.rank == 2 else { throw ctx.error(.invalidShape, "Gemm needs 2-D A and B, got \(a.shape) and \(b.shape)") }
        (transA, transB) = try LinearAlgebraOperators.transposes(ctx.shapeContext)
        alpha = try ctx.node.float("alpha", default: 1)
        beta = try ctx.node.float("beta", default: 1)
        m = transA ? a.shape[1] : a.shape[0]
        k = transA ? a.shape[0] : a.shape[1]
        n = transB ? b.shape[0] : b.shape[1]
        let kb = transB ? b.shape[1] : b.shape[0]
        guard k == kb else { throw ctx.error(.invalidShape, "inner dimensions differ: op(A) has K=\(k), op(B) has K=\(kb)") }
        guard y.shape == [m, n] else { throw ctx.error(.invalidShape, "output \(y.shape) is not [\(m), \(n)]") }
        guard let cv = ctx.optionalInput(2) else { c = nil; return }
        guard cv.dtype == a.dtype else { throw ctx.error(.dtypeMismatch, "C is \(cv.dtype) but A is \(a.dtype)") }
        guard cv.rank <= 2, Broadcasting.shape(cv.shape, [m, n]) == [m, n] else {
            throw ctx.error(.invalidShape, "C \(cv.shape) does not broadcast to [M, N] = [\(m), \(n)]")
        }
        if checkingLegacyBias {
            try LinearAlgebraOperators.checkLegacyBias(ctx.node, opset: ctx.opset, c: cv.shape.map { .value($0) },
                                                       m: .value(m), n: .value(n))
        }
        c = beta == 0 ? nil : cv
    }
}

/// How a numpy.matmul of op(A) and op(B) maps onto one GEMM shape repeated over batches: the
/// element offset of A's and B's matrix for every output batch (broadcast batches repeat an
/// offset), with leading dimensions for their stored (possibly transposed) layout. When B has a
/// single matrix and A is neither broadcast nor transposed, A's batches fold into M: one GEMM.
/// The transposes are FusedMatMul's; MatMul and the integer matmuls use neither.
struct MatMulPlan {
    var m: Int, n: Int, k: Int, lda: Int, ldb: Int
    var transA: Bool, transB: Bool
    var aOffsets: [Int], bOffsets: [Int]

    init(_ aShape: [Int], _ bShape: [Int], transA: Bool = false, transB: Bool = false, _ ctx: KernelContext) throws {
        guard !aShape.isEmpty, !bShape.isEmpty else { throw ctx.error(.invalidShape, "MatMul operands must have rank >= 1") }
        guard !(transA && aShape.count < 2), !(transB && bShape.count < 2) else {
            throw ctx.error(.invalidShape, "a transposed operand needs rank >= 2, got A \(aShape), B \(bShape)")
        }
        self.transA = transA; self.transB = transB
        let a = aShape.count == 1 ? [1] + aShape : aShape
        let b = bShape.count == 1 ? bShape + [1] : bShape
        let (a0, a1) = (a[a.count - 2], a[a.count - 1]), (b0, b1) = (b[b.count - 2], b[b.count - 1])
        m = transA ? a1 : a0; k = transA ? a0 : a1
        let kb = transB ? b1 : b0
        n = transB ? b0 : b1
        guard k == kb else { throw ctx.error(.invalidShape, "inner dimensions differ: op(A) \(aShape) has K=\(k), op(B) \(bShape) has K=\(kb)") }
        lda = max(1, a1); ldb = max(1, b1)
        let aBatch = Array(a.dropLast(2)), bBatch = Array(b.dropLast(2))
        guard let outBatch = Broadcasting.shape(aBatch, bBatch) else {
            throw ctx.error(.invalidShape, "batch dimensions of A \(aShape) and B \(bShape) do not broadcast")
        }
        let batches = outBatch.reduce(1, *)
        let aCount = aBatch.reduce(1, *), bCount = bBatch.reduce(1, *)
        if bCount == 1, aCount == batches, !transA {
            m *= batches
            aOffsets = [0]; bOffsets = [0]
            return
        }
        let aStrides = Broadcasting.strides(of: aBatch, broadcastTo: outBatch)
        let bStrides = Broadcasting.strides(of: bBatch, broadcastTo: outBatch)
        aOffsets = []; bOffsets = []
        aOffsets.reserveCapacity(batches); bOffsets.reserveCapacity(batches)
        var index = [Int](repeating: 0, count: outBatch.count)
        for _ in 0..<batches {
            var ao = 0, bo = 0
            for d in 0..<index.count { ao += index[d] * aStrides[d]; bo += index[d] * bStrides[d] }
            aOffsets.append(ao * m * k); bOffsets.append(bo * k * n)
            MultiIndex.increment(&index, within: outBatch)
        }
    }
}
