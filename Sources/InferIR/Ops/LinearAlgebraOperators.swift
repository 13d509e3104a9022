/// Shape inference for the LinearAlgebra family (see the runtime's Lowering/LinearAlgebraLowering.swift).
package enum LinearAlgebraOperators {
    package static let schemas: [OperatorSchema] = [matMul, gemm]

    /// Dtypes the MatMul kernels implement (BLAS for floats, plain loops for integers).
    package static let matMulDTypes: Set<DType> = [.float32, .float64, .int32, .int64]

    /// MatMul versions 1, 9, 13 differ only in accepted dtypes: numpy.matmul semantics.
    static let matMul = OperatorSchema("MatMul", since: 1) { ctx in
        let a = try ctx.type(0), b = try ctx.type(1)
        guard a.dtype == b.dtype else {
            throw ctx.error(.dtypeMismatch, "A is \(a.dtype) but B is \(b.dtype)")
        }
        guard let sa = a.shape, let sb = b.shape else { return [ValueType(dtype: a.dtype, shape: nil)] }
        return [ValueType(dtype: a.dtype, shape: try matMulShape(sa, sb, ctx))]
    }

    /// numpy.matmul output shape: 1-D operands get a 1 prepended (A) / appended (B) that is then
    /// dropped; batch dims broadcast.
    static func matMulShape(_ sa: [Dim], _ sb: [Dim], _ ctx: ShapeContext) throws -> [Dim] {
        guard !sa.isEmpty, !sb.isEmpty else { throw ctx.error(.invalidShape, "MatMul operands must have rank >= 1") }
        let a = sa.count == 1 ? [.value(1)] + sa : sa
        let b = sb.count == 1 ? sb + [.value(1)] : sb
        let ka = a[a.count - 1], kb = b[b.count - 2]
        if let x = ka.intValue, let y = kb.intValue, x != y {
            throw ctx.error(.invalidShape, "inner dimensions differ: A \(sa) has K=\(x), B \(sb) has K=\(y)")
        }
        guard let batch = Broadcasting.shape(Array(a.dropLast(2)), Array(b.dropLast(2))) else {
            throw ctx.error(.invalidShape, "batch dimensions of A \(sa) and B \(sb) do not broadcast")
        }
        var out = batch
        if sa.count > 1 { out.append(a[a.count - 2]) }
        if sb.count > 1 { out.append(b[b.count - 1]) }
        return out
    }

    /// Gemm: C broadcasts unidirectionally from opset 7 (optional from 11; ints from 9). Before 7
    /// (Gemm-1, Gemm-6) it broadcasts only with the `broadcast` attribute, see `checkLegacyBias`.
    static let gemm = OperatorSchema("Gemm", since: 1) { ctx in
        let a = try ctx.type(0), b = try ctx.type(1)
        guard a.dtype == b.dtype else {
            throw ctx.error(.dtypeMismatch, "A is \(a.dtype) but B is \(b.dtype)")
        }
        let (transA, transB) = try transposes(ctx)
        guard let sa = a.shape, let sb = b.shape else { return [ValueType(dtype: a.dtype, shape: [.unknown, .unknown])] }
        guard sa.count == 2, sb.count == 2 else {
            throw ctx.error(.invalidShape, "Gemm needs 2-D A and B, got A \(sa) and B \(sb)")
        }
        let m = transA ? sa[1] : sa[0], ka = transA ? sa[0] : sa[1]
        let kb = transB ? sb[1] : sb[0], n = transB ? sb[0] : sb[1]
        if let x = ka.intValue, let y = kb.intValue, x != y {
            throw ctx.error(.invalidShape, "inner dimensions differ: op(A) has K=\(x), op(B) has K=\(y)")
        }
        if ctx.hasInput(2), let c = ctx.inputTypes.count > 2 ? ctx.inputTypes[2] : nil {
            guard c.dtype == a.dtype else { throw ctx.error(.dtypeMismatch, "C is \(c.dtype) but A is \(a.dtype)") }
            if let sc = c.shape {
                guard sc.count <= 2 else { throw ctx.error(.invalidShape, "C must have rank <= 2, got \(sc)") }
                let target = [m, n]
                for (i, d) in sc.enumerated() {
                    let t = target[i + 2 - sc.count]
                    if let dv = d.intValue, dv != 1, let tv = t.intValue, dv != tv {
                        throw ctx.error(.invalidShape, "C \(sc) does not broadcast to [M, N] = \(target)")
                    }
                }
                try checkLegacyBias(ctx.node, opset: ctx.opset, c: sc, m: m, n: n)
            }
        }
        return [ValueType(dtype: a.dtype, shape: [m, n])]
    }

    /// `transA` / `transB` (default 0) of Gemm, FusedGemm and FusedMatMul.
    package static func transposes(_ ctx: ShapeContext) throws -> (a: Bool, b: Bool) {
        (try ctx.node.int("transA", default: 0) != 0, try ctx.node.int("transB", default: 0) != 0)
    }

    /// Gemm-1 and Gemm-6 add C as given unless `broadcast` = 1: without it C must be [M, N]
    /// exactly. (With it, C broadcasts as it does from opset 7.)
    package static func checkLegacyBias(_ node: Node, opset: Int, c: [Dim], m: Dim, n: Dim) throws {
        guard opset < 7, try node.int("broadcast", default: 0) == 0 else { return }
        let mismatch = c.count != 2 || zip(c, [m, n]).contains { d, t in
            d.intValue != nil && t.intValue != nil && d != t
        }
        if mismatch {
            throw InferError.at(node, opset: opset, .invalidShape,
                                "C \(c) is not [M, N] = \([m, n]); before opset 7 a smaller C needs broadcast = 1")
        }
    }
}
