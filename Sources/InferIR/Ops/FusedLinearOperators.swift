/// Shape inference for the project's own fused ops (domain `swiftinfer`) of the FusedLinear family:
/// a GEMM or convolution with its epilogue (bias, activation, residual Add) in one node.
///
/// Common attributes (the epilogue):
/// - `activation` (string, default "" = none): Relu, Clip, Sigmoid, Tanh, LeakyRelu, HardSwish,
///   HardSigmoid, Gelu, GeluTanh; `activation_params` (floats): Clip [min, max], LeakyRelu [alpha],
///   HardSigmoid [alpha, beta].
/// - `has_residual` (int, default 0): the last input R (same shape as Y) is added;
///   `residual_before_activation` (int, default 0): Y = act(core + R), else Y = act(core) + R.
///
/// - `FusedConv(X, W, B?, R?)`: Conv attributes (auto_pad, dilations, group, kernel_shape, pads, strides).
/// - `FusedGemm(A, B, C?, R?)`: Gemm attributes (alpha, beta, transA, transB); C broadcasts as in Gemm.
/// - `FusedMatMul(A, B, bias?, R?)`: numpy.matmul of op(A), op(B) where `transA` / `transB` swap the
///   last two dims; bias [N] (or broadcastable along the last axis only) is added per column.
package enum FusedLinearOperators {
    package static let domain = "swiftinfer"

    package static let schemas: [OperatorSchema] = [fusedConv, fusedGemm, fusedMatMul]

    static let fusedConv = OperatorSchema("FusedConv", domain: domain, since: 1) { ctx in
        _ = try FusedActivation(ctx.node)
        let core = try coreTypes("Conv", opset: 22, ctx, inputs: 3)
        try checkResidual(ctx, output: core[0])
        return core
    }

    static let fusedGemm = OperatorSchema("FusedGemm", domain: domain, since: 1) { ctx in
        _ = try FusedActivation(ctx.node)
        let core = try coreTypes("Gemm", opset: 13, ctx, inputs: 3)
        try checkResidual(ctx, output: core[0])
        return core
    }

    static let fusedMatMul = OperatorSchema("FusedMatMul", domain: domain, since: 1) { ctx in
        _ = try FusedActivation(ctx.node)
        let a = try ctx.type(0), b = try ctx.type(1)
        guard a.dtype == b.dtype else { throw ctx.error(.dtypeMismatch, "A is \(a.dtype) but B is \(b.dtype)") }
        guard var sa = a.shape, var sb = b.shape else { return [ValueType(dtype: a.dtype, shape: nil)] }
        let (transA, transB) = try LinearAlgebraOperators.transposes(ctx)
        if transA { sa = try swapLastTwo(sa, ctx) }
        if transB { sb = try swapLastTwo(sb, ctx) }
        let out = ValueType(dtype: a.dtype, shape: try LinearAlgebraOperators.matMulShape(sa, sb, ctx))
        if ctx.hasInput(2), let bias = ctx.inputTypes.count > 2 ? ctx.inputTypes[2] : nil, let sBias = bias.shape {
            guard bias.dtype == a.dtype else { throw ctx.error(.dtypeMismatch, "bias is \(bias.dtype) but A is \(a.dtype)") }
            guard sBias.count <= max(1, out.shape!.count), sBias.dropLast().allSatisfy({ $0 == .value(1) }) else {
                throw ctx.error(.invalidShape, "bias \(sBias) must vary along the last axis only")
            }
            if let n = out.shape!.last?.intValue, let bn = sBias.last?.intValue, bn != n, bn != 1 {
                throw ctx.error(.invalidShape, "bias has \(bn) values for \(n) columns")
            }
        }
        try checkResidual(ctx, output: out)
        return [out]
    }

    /// The standard op's inference on the first `inputs` inputs (the residual is checked apart).
    private static func coreTypes(_ opType: String, opset: Int, _ ctx: ShapeContext, inputs: Int) throws -> [ValueType] {
        guard let schema = OperatorRegistry.schema(opType: opType, domain: "") else {
            throw ctx.error(.unsupportedOperator, "\(opType) is not registered")
        }
        var node = ctx.node
        node.inputs = Array(node.inputs.prefix(inputs))
        let n = node.inputs.count
        let core = ShapeContext(node: node, opset: opset, inputTypes: Array(ctx.inputTypes.prefix(n)),
                                inputValues: Array(ctx.inputValues.prefix(n)))
        return try schema.inferTypes(core)
    }

    private static func swapLastTwo(_ s: [Dim], _ ctx: ShapeContext) throws -> [Dim] {
        guard s.count >= 2 else { throw ctx.error(.invalidShape, "a transposed operand needs rank >= 2, got \(s)") }
        var t = s
        t.swapAt(s.count - 1, s.count - 2)
        return t
    }

    /// `has_residual` (default 0): input 3 is added to the output.
    package static func hasResidual(_ ctx: ShapeContext) throws -> Bool {
        try ctx.node.int("has_residual", default: 0) != 0
    }

    /// With `has_residual`, input 3 must have the output's dtype and (where known) its shape.
    package static func checkResidual(_ ctx: ShapeContext, output: ValueType) throws {
        guard try hasResidual(ctx) else { return }
        let r = try ctx.type(3)
        guard r.dtype == output.dtype else { throw ctx.error(.dtypeMismatch, "residual is \(r.dtype) but the output is \(output.dtype)") }
        if let sr = r.shape, let so = output.shape {
            guard sr.count == so.count, zip(sr, so).allSatisfy({ $0.intValue == nil || $1.intValue == nil || $0 == $1 }) else {
                throw ctx.error(.invalidShape, "residual \(sr) does not have the output's shape \(so)")
            }
        }
    }
}

/// The activation of a fused epilogue, as stored in the node's `activation` / `activation_params`.
package struct FusedActivation: Sendable, Equatable {
    package var name: String
    package var params: [Float]

    /// Names with the number of parameters each takes.
    package static let arity: [String: Int] = [
        "": 0, "Relu": 0, "Sigmoid": 0, "Silu": 0, "Tanh": 0, "HardSwish": 0, "Gelu": 0, "GeluTanh": 0,
        "Clip": 2, "LeakyRelu": 1, "HardSigmoid": 2,
    ]

    package init(name: String, params: [Float] = []) {
        self.name = name
        self.params = params
    }

    /// Reads and validates the node's activation attributes.
    package init(_ node: Node) throws {
        name = try node.string("activation", default: "")
        params = try node.floats("activation_params", default: [])
        guard let n = Self.arity[name] else {
            throw InferError.at(node, opset: nil, .invalidModel, "unknown fused activation \"\(name)\"")
        }
        guard params.count == n else {
            throw InferError.at(node, opset: nil, .invalidModel, "activation \(name) takes \(n) parameters, got \(params.count)")
        }
    }

    /// The attributes that describe it on a fused node.
    package var attributes: [String: Attribute] {
        var a: [String: Attribute] = ["activation": .string(name)]
        if !params.isEmpty { a["activation_params"] = .floats(params) }
        return a
    }
}
