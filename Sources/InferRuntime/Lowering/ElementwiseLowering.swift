import InferIR
import InferKernels

/// Runtime bindings for the Elementwise family: attributes in, `InferKernels` calls out.
/// Shapes and dtypes were checked by shape inference (`ElementwiseOperators`); the bindings
/// re-check what an out-of-bounds access would depend on.
///
/// Bindings are prepared (`KernelBinding.prepared`): attributes, broadcast loops and constant
/// operands are resolved once, and the returned closure only computes, allocating nothing.
/// What depends on the values of a non-constant input (`ctx.inputValuesFixed`) stays per run.
package enum ElementwiseLowering {
    package static let bindings: [KernelBinding] = arithmetic + unaryMaps + comparisons + special

    // MARK: - Operator lists

    static let arithmetic: [KernelBinding] = [
        binary("Add", .add), binary("Sub", .sub), binary("Mul", .mul), binary("Div", .div),
        KernelBinding.prepared("PRelu") { ctx in
            let x = try ctx.input(0), slope = try ctx.input(1)
            let aligned = ctx.opset < 7
                ? slope.reshaped(to: try ElementwiseOperators.legacySlopeShape(of: slope.shape, for: x.shape, node: ctx.node, opset: ctx.opset))
                : slope
            return try preparedArithmetic(ctx, .prelu, x, aligned, ctx.outputs[0])
        },
        KernelBinding.prepared("Mod") { ctx in
            let op: BinaryOp = try ctx.node.int("fmod", default: 0) == 0 ? .mod : .fmod
            return try preparedArithmetic(ctx, op, try ctx.input(0), try ctx.input(1), ctx.outputs[0])
        },
        KernelBinding.prepared("Pow") { ctx in try preparedPower(ctx) },
        variadic("Sum", .add), variadic("Min", .min), variadic("Max", .max),
        KernelBinding.prepared("Mean") { ctx in
            let sum = try preparedVariadic(ctx, .add)
            let out = ctx.outputs[0]
            let divisor = out.dtype == .float64 ? Tensor(scalar: Double(ctx.inputs.count)) : Tensor(scalar: Float(ctx.inputs.count))
            let divide = try preparedArithmetic(ctx, .div, out, divisor, out)
            return { try sum(); try divide() }
        },
    ]

    static let unaryMaps: [KernelBinding] = [
        unary("Abs", .abs), unary("Neg", .neg), unary("Sign", .sign), unary("Relu", .relu),
        unary("Sqrt", .sqrt), unary("Exp", .exp), unary("Log", .log), unary("Reciprocal", .reciprocal),
        unary("Tanh", .tanh), unary("Sigmoid", .sigmoid), unary("Erf", .erf), unary("Floor", .floor),
        unary("Ceil", .ceil), unary("Round", .round), unary("Sin", .sin), unary("Cos", .cos),
        unary("Softsign", .softsign), unary("Softplus", .softplus), unary("Mish", .mish),
        unary("HardSwish", .hardSwish),
        unary("LeakyRelu") { .leakyRelu(alpha: try $0.float("alpha", default: 0.01)) },
        unary("Elu") { .elu(alpha: try $0.float("alpha", default: 1)) },
        unary("Selu") {
            .selu(alpha: try $0.float("alpha", default: 1.67326319217681884765625),
                  gamma: try $0.float("gamma", default: 1.05070102214813232421875))
        },
        unary("Celu") { .celu(alpha: try $0.float("alpha", default: 1)) },
        unary("HardSigmoid") {
            .hardSigmoid(alpha: try $0.float("alpha", default: 0.2), beta: try $0.float("beta", default: 0.5))
        },
        unary("ThresholdedRelu") { .thresholdedRelu(alpha: try $0.float("alpha", default: 1)) },
        // Gelu: FusedTransformerLowering (one vectorized kernel for ONNX Gelu and swiftinfer.Gelu).
        KernelBinding.prepared("Clip") { ctx in
            // Bounds are read once when they are constants (the usual case), else every run.
            let boundsFixed = ctx.inputValuesFixed(1) && ctx.inputValuesFixed(2)
            guard boundsFixed else { return { try clip(ctx) } }
            return try preparedClip(ctx)
        },
        KernelBinding.prepared("Not") { ctx in
            let x = try ctx.input(0), out = ctx.outputs[0]
            guard x.dtype == .bool else { throw unsupported(ctx, x.dtype) }
            let src = bytes(x), dst = bytes(out), n = x.count
            return { UnaryKernels.logicalNot(src, dst, count: n) }
        },
    ]

    static let comparisons: [KernelBinding] = [
        compare("Equal", .equal), compare("Less", .less), compare("Greater", .greater),
        compare("LessOrEqual", .lessOrEqual), compare("GreaterOrEqual", .greaterOrEqual),
        logical("And", .and), logical("Or", .or), logical("Xor", .xor),
        KernelBinding("IsNaN") { ctx in
            let x = try ctx.input(0), y = bytes(ctx.outputs[0])
            switch x.dtype {
            case .float32: UnaryKernels.isNaN(x.pointer(as: Float.self), y, count: x.count)
            case .float64: UnaryKernels.isNaN(x.pointer(as: Double.self), y, count: x.count)
            default: throw unsupported(ctx, x.dtype)
            }
        },
        KernelBinding("IsInf") { ctx in
            let x = try ctx.input(0), y = bytes(ctx.outputs[0])
            let positive = try ctx.node.int("detect_positive", default: 1) != 0
            let negative = try ctx.node.int("detect_negative", default: 1) != 0
            switch x.dtype {
            case .float32: UnaryKernels.isInf(x.pointer(as: Float.self), y, count: x.count, positive: positive, negative: negative)
            case .float64: UnaryKernels.isInf(x.pointer(as: Double.self), y, count: x.count, positive: positive, negative: negative)
            default: throw unsupported(ctx, x.dtype)
            }
        },
    ]

    static let special: [KernelBinding] = [
        KernelBinding.prepared("Where") { ctx in
            let condition = try ctx.input(0), x = try ctx.input(1), y = try ctx.input(2), out = ctx.outputs[0]
            guard condition.dtype == .bool, x.dtype == y.dtype, out.dtype == x.dtype else {
                throw ctx.error(.dtypeMismatch, "Where needs a bool condition and two inputs of one type")
            }
            let loop = try broadcastLoop(ctx, out, [condition, x, y])
            let elementSize = x.dtype.byteSize, c = bytes(condition), a = x.rawPointer, b = y.rawPointer
            let o = out.mutableRawPointer, threads = ctx.threads
            return {
                SelectKernels.select(elementSize: elementSize, condition: c, a, b, o, loop: loop, threads: threads)
            }
        },
        KernelBinding.prepared("Cast") { ctx in
            let x = try ctx.input(0), out = ctx.outputs[0]
            guard x.count == out.count else { throw ctx.error(.invalidShape, "cast output \(out.shape) does not match input \(x.shape)") }
            let from = x.dtype.kernelKind, to = out.dtype.kernelKind, src = x.rawPointer, dst = out.mutableRawPointer, n = x.count
            return { CastKernels.cast(from: from, src, to: to, dst, count: n) }
        },
    ]

    // MARK: - Binding builders

    static func unary(_ name: String, _ op: UnaryOp) -> KernelBinding {
        unary(name) { _ in op }
    }

    static func unary(_ name: String, _ makeOp: @escaping @Sendable (Node) throws -> UnaryOp) -> KernelBinding {
        KernelBinding.prepared(name) { ctx in
            let op = try makeOp(ctx.node), x = try ctx.input(0), out = ctx.outputs[0]
            try checkUnary(ctx, op, x, out)
            return { try unary(ctx, op, x, out) }
        }
    }

    static func binary(_ name: String, _ op: BinaryOp) -> KernelBinding {
        KernelBinding.prepared(name) { ctx in
            let a = try ctx.input(0)
            return try preparedArithmetic(ctx, op, a, try legacyAligned(ctx, try ctx.input(1), onto: a), ctx.outputs[0])
        }
    }

    static func variadic(_ name: String, _ op: BinaryOp) -> KernelBinding {
        KernelBinding.prepared(name) { ctx in try preparedVariadic(ctx, op) }
    }

    static func compare(_ name: String, _ op: CompareOp) -> KernelBinding {
        KernelBinding.prepared(name) { ctx in
            let a = try ctx.input(0), b = try legacyAligned(ctx, try ctx.input(1), onto: try ctx.input(0)), out = ctx.outputs[0]
            guard a.dtype == b.dtype else { throw mismatch(ctx, a.dtype, b.dtype) }
            if a.dtype == .bool, op != .equal { throw unsupported(ctx, a.dtype) }
            let loop = try broadcastLoop(ctx, out, [a, b])
            let y = bytes(out), t = ctx.threads
            return {
            switch a.dtype {
            case .float32: BinaryKernels.compare(op, a.pointer(as: Float.self), b.pointer(as: Float.self), y, loop: loop, threads: t)
            case .float64: BinaryKernels.compare(op, a.pointer(as: Double.self), b.pointer(as: Double.self), y, loop: loop, threads: t)
            case .int64: BinaryKernels.compare(op, a.pointer(as: Int64.self), b.pointer(as: Int64.self), y, loop: loop, threads: t)
            case .int32: BinaryKernels.compare(op, a.pointer(as: Int32.self), b.pointer(as: Int32.self), y, loop: loop, threads: t)
            case .int8: BinaryKernels.compare(op, a.pointer(as: Int8.self), b.pointer(as: Int8.self), y, loop: loop, threads: t)
            case .uint8: BinaryKernels.compare(op, a.pointer(as: UInt8.self), b.pointer(as: UInt8.self), y, loop: loop, threads: t)
            case .bool:
                // Booleans compare as their truth values, whatever non-zero byte encodes true.
                guard op == .equal else { throw unsupported(ctx, a.dtype) }
                BinaryKernels.logical(.xor, bytes(a), bytes(b), y, loop: loop, threads: t)
                UnaryKernels.logicalNot(y, y, count: out.count)
            }
            }
        }
    }

    static func logical(_ name: String, _ op: LogicalOp) -> KernelBinding {
        KernelBinding.prepared(name) { ctx in
            let a = try ctx.input(0), b = try legacyAligned(ctx, try ctx.input(1), onto: try ctx.input(0)), out = ctx.outputs[0]
            guard a.dtype == .bool, b.dtype == .bool else { throw unsupported(ctx, a.dtype == .bool ? b.dtype : a.dtype) }
            let loop = try broadcastLoop(ctx, out, [a, b])
            let pa = bytes(a), pb = bytes(b), po = bytes(out), threads = ctx.threads
            return { BinaryKernels.logical(op, pa, pb, po, loop: loop, threads: threads) }
        }
    }

    // MARK: - Shared runners

    /// `out = op(x)` elementwise; `x` and `out` have the same shape and may be the same tensor.
    static func unary(_ ctx: KernelContext, _ op: UnaryOp, _ x: Tensor, _ out: Tensor) throws {
        try checkUnary(ctx, op, x, out)
        let n = x.count, t = ctx.threads
        switch x.dtype {
        case .float32: UnaryKernels.apply(op, x.pointer(as: Float.self), out.pointer(as: Float.self), count: n, threads: t)
        case .float64: UnaryKernels.apply(op, x.pointer(as: Double.self), out.pointer(as: Double.self), count: n, threads: t)
        case .int64: UnaryKernels.apply(op, x.pointer(as: Int64.self), out.pointer(as: Int64.self), count: n, threads: t)
        case .int32: UnaryKernels.apply(op, x.pointer(as: Int32.self), out.pointer(as: Int32.self), count: n, threads: t)
        case .int8: UnaryKernels.apply(op, x.pointer(as: Int8.self), out.pointer(as: Int8.self), count: n, threads: t)
        case .uint8: UnaryKernels.apply(op, x.pointer(as: UInt8.self), out.pointer(as: UInt8.self), count: n, threads: t)
        case .bool: throw unsupported(ctx, x.dtype)
        }
    }

    /// What `unary` checks before computing (done once when prepared).
    static func checkUnary(_ ctx: KernelContext, _ op: UnaryOp, _ x: Tensor, _ out: Tensor) throws {
        guard x.dtype == out.dtype, x.count == out.count else {
            throw ctx.error(.invalidShape, "output \(out.type) does not match input \(x.type)")
        }
        if x.dtype.isInteger && !op.supportsIntegers { throw unsupported(ctx, x.dtype) }
        if x.dtype == .bool { throw unsupported(ctx, x.dtype) }
    }

    /// `out = op(a, b)` with broadcasting; `out` may be `a` when `a` already has the output shape.
    static func arithmetic(_ ctx: KernelContext, _ op: BinaryOp, _ a: Tensor, _ b: Tensor, _ out: Tensor) throws {
        try preparedArithmetic(ctx, op, a, b, out)()
    }

    /// `arithmetic` with its dtype checks and broadcast loop done now; the result only computes.
    static func preparedArithmetic(_ ctx: KernelContext, _ op: BinaryOp, _ a: Tensor, _ b: Tensor,
                                   _ out: Tensor) throws -> PreparedKernel {
        guard a.dtype == b.dtype else { throw mismatch(ctx, a.dtype, b.dtype) }
        guard out.dtype == a.dtype else { throw mismatch(ctx, a.dtype, out.dtype) }
        if a.dtype == .bool { throw unsupported(ctx, a.dtype) }
        let loop = try broadcastLoop(ctx, out, [a, b])
        let t = ctx.threads
        return {
        switch a.dtype {
        case .float32: BinaryKernels.apply(op, a.pointer(as: Float.self), b.pointer(as: Float.self), out.pointer(as: Float.self), loop: loop, threads: t)
        case .float64: BinaryKernels.apply(op, a.pointer(as: Double.self), b.pointer(as: Double.self), out.pointer(as: Double.self), loop: loop, threads: t)
        case .int64: BinaryKernels.apply(op, a.pointer(as: Int64.self), b.pointer(as: Int64.self), out.pointer(as: Int64.self), loop: loop, threads: t)
        case .int32: BinaryKernels.apply(op, a.pointer(as: Int32.self), b.pointer(as: Int32.self), out.pointer(as: Int32.self), loop: loop, threads: t)
        case .int8: BinaryKernels.apply(op, a.pointer(as: Int8.self), b.pointer(as: Int8.self), out.pointer(as: Int8.self), loop: loop, threads: t)
        case .uint8: BinaryKernels.apply(op, a.pointer(as: UInt8.self), b.pointer(as: UInt8.self), out.pointer(as: UInt8.self), loop: loop, threads: t)
        case .bool: throw unsupported(ctx, a.dtype)
        }
        }
    }

    /// Sum / Min / Max: the first two inputs into the output, then each further input folded in.
    static func preparedVariadic(_ ctx: KernelContext, _ op: BinaryOp) throws -> PreparedKernel {
        let inputs = try (0..<ctx.inputs.count).map { try ctx.input($0) }
        let out = ctx.outputs[0]
        guard let first = inputs.first else { throw ctx.error(.invalidModel, "needs at least one input") }
        guard inputs.count > 1 else {
            guard first.dtype == out.dtype else { throw mismatch(ctx, first.dtype, out.dtype) }
            let loop = try broadcastLoop(ctx, out, [first])
            let elementSize = first.dtype.byteSize, src = first.rawPointer, dst = out.mutableRawPointer, threads = ctx.threads
            return { SelectKernels.broadcastCopy(elementSize: elementSize, src, dst, loop: loop, threads: threads) }
        }
        let steps = try [preparedArithmetic(ctx, op, inputs[0], inputs[1], out)]
            + inputs.dropFirst(2).map { next in try preparedArithmetic(ctx, op, out, next, out) }
        return { for step in steps { try step() } }
    }

    /// Pow: the exponent may have another type than the base. Float bases take the exponent
    /// converted to their type; integer bases with a float exponent compute in double and
    /// truncate back, as ONNX Runtime does. `x ** 2` runs as `x * x`.
    static func preparedPower(_ ctx: KernelContext) throws -> PreparedKernel {
        let base = try ctx.input(0), exponent = try legacyAligned(ctx, try ctx.input(1), onto: try ctx.input(0))
        let out = ctx.outputs[0]
        // The `x ** 2` test and exponent conversion read the exponent: only once when it is constant.
        guard ctx.inputValuesFixed(1) else { return { try power(ctx) } }
        if base.dtype == .float32, base.shape == out.shape, exponent.count == 1, exponent.doubleValues()[0] == 2 {
            return try preparedArithmetic(ctx, .mul, base, base, out)
        }
        if base.dtype == exponent.dtype { return try preparedArithmetic(ctx, .pow, base, exponent, out) }
        if base.dtype.isFloatingPoint || !exponent.dtype.isFloatingPoint {
            return try preparedArithmetic(ctx, .pow, base, try converted(ctx, exponent, to: base.dtype), out)
        }
        return { try power(ctx) }
    }

    static func power(_ ctx: KernelContext) throws {
        let base = try ctx.input(0), exponent = try legacyAligned(ctx, try ctx.input(1), onto: try ctx.input(0))
        let out = ctx.outputs[0]
        if base.dtype == .float32, base.shape == out.shape, exponent.count == 1, exponent.doubleValues()[0] == 2 {
            try arithmetic(ctx, .mul, base, base, out)
            return
        }
        if base.dtype == exponent.dtype { return try arithmetic(ctx, .pow, base, exponent, out) }
        if base.dtype.isFloatingPoint || !exponent.dtype.isFloatingPoint {
            return try arithmetic(ctx, .pow, base, try converted(ctx, exponent, to: base.dtype), out)
        }
        let wide = try Tensor.zeros(.float64, shape: out.shape)
        try arithmetic(ctx, .pow, try converted(ctx, base, to: .float64), try converted(ctx, exponent, to: .float64), wide)
        try cast(ctx, wide, into: out)
    }

    /// Clip: bounds from attributes before opset 11, from optional scalar inputs after.
    static func clip(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), out = ctx.outputs[0]
        if ctx.opset < 11 {
            let low = Double(try ctx.node.float("min", default: -.infinity))
            let high = Double(try ctx.node.float("max", default: .infinity))
            return try unary(ctx, .clip(low: low, high: high), x, out)
        }
        func bound(_ i: Int) throws -> Tensor? {
            guard let t = ctx.optionalInput(i) else { return nil }
            guard t.dtype == x.dtype else { throw mismatch(ctx, x.dtype, t.dtype) }
            guard t.count == 1 else { throw ctx.error(.invalidShape, "min and max must be scalars, got shape \(t.shape)") }
            return t
        }
        let low = try bound(1), high = try bound(2)
        let n = x.count
        switch x.dtype {
        case .float32, .float64:
            let lo = low?.doubleValues()[0] ?? -.infinity, hi = high?.doubleValues()[0] ?? .infinity
            try unary(ctx, .clip(low: lo, high: hi), x, out)
        case .int64:
            UnaryKernels.clip(x.pointer(as: Int64.self), out.pointer(as: Int64.self), count: n,
                              low: low?.pointer(as: Int64.self).pointee ?? .min, high: high?.pointer(as: Int64.self).pointee ?? .max)
        case .int32:
            UnaryKernels.clip(x.pointer(as: Int32.self), out.pointer(as: Int32.self), count: n,
                              low: low?.pointer(as: Int32.self).pointee ?? .min, high: high?.pointer(as: Int32.self).pointee ?? .max)
        case .int8:
            UnaryKernels.clip(x.pointer(as: Int8.self), out.pointer(as: Int8.self), count: n,
                              low: low?.pointer(as: Int8.self).pointee ?? .min, high: high?.pointer(as: Int8.self).pointee ?? .max)
        case .uint8:
            UnaryKernels.clip(x.pointer(as: UInt8.self), out.pointer(as: UInt8.self), count: n,
                              low: low?.pointer(as: UInt8.self).pointee ?? .min, high: high?.pointer(as: UInt8.self).pointee ?? .max)
        case .bool: throw unsupported(ctx, x.dtype)
        }
    }

    /// Clip with constant bounds: bounds read once.
    static func preparedClip(_ ctx: KernelContext) throws -> PreparedKernel {
        let x = try ctx.input(0), out = ctx.outputs[0]
        switch x.dtype {
        case .float32, .float64:
            var low = -Double.infinity, high = Double.infinity
            if ctx.opset < 11 {
                low = Double(try ctx.node.float("min", default: -.infinity))
                high = Double(try ctx.node.float("max", default: .infinity))
            } else {
                for (i, isLow) in [(1, true), (2, false)] {
                    guard let t = ctx.optionalInput(i) else { continue }
                    guard t.dtype == x.dtype else { throw mismatch(ctx, x.dtype, t.dtype) }
                    guard t.count == 1 else { throw ctx.error(.invalidShape, "min and max must be scalars, got shape \(t.shape)") }
                    if isLow { low = t.doubleValues()[0] } else { high = t.doubleValues()[0] }
                }
            }
            let op = UnaryOp.clip(low: low, high: high)
            try checkUnary(ctx, op, x, out)
            return { try unary(ctx, op, x, out) }
        default:
            return { try clip(ctx) }
        }
    }

    static func cast(_ ctx: KernelContext, _ x: Tensor, into out: Tensor) throws {
        guard x.count == out.count else { throw ctx.error(.invalidShape, "cast output \(out.shape) does not match input \(x.shape)") }
        CastKernels.cast(from: x.dtype.kernelKind, x.rawPointer, to: out.dtype.kernelKind, out.mutableRawPointer, count: x.count)
    }

    static func converted(_ ctx: KernelContext, _ x: Tensor, to dtype: DType) throws -> Tensor {
        if x.dtype == dtype { return x }
        let out = try Tensor.zeros(dtype, shape: x.shape)
        try cast(ctx, x, into: out)
        return out
    }

    // MARK: - Helpers

    /// Before opset 7, B is reshaped so that NumPy broadcasting reproduces the old axis rule.
    static func legacyAligned(_ ctx: KernelContext, _ b: Tensor, onto a: Tensor) throws -> Tensor {
        guard ctx.opset < 7 else { return b }
        return b.reshaped(to: try ElementwiseOperators.legacyAlignedShape(of: b.shape, onto: a.shape, node: ctx.node, opset: ctx.opset))
    }

    /// The loop reading `operands` broadcast to `out`'s shape; throws unless they broadcast to exactly it.
    static func broadcastLoop(_ ctx: KernelContext, _ out: Tensor, _ operands: [Tensor]) throws -> BroadcastLoop {
        guard Broadcasting.shape(operands.map(\.shape)) == out.shape else {
            throw ctx.error(.invalidShape, "inputs \(operands.map(\.shape)) do not broadcast to the output shape \(out.shape)")
        }
        return BroadcastLoop(shape: out.shape,
                             operandStrides: operands.map { Broadcasting.strides(of: $0.shape, broadcastTo: out.shape) })
    }

    /// Booleans (and other byte tensors) as bytes.
    static func bytes(_ t: Tensor) -> UnsafeMutablePointer<UInt8> {
        precondition(t.dtype.byteSize == 1, "bytes() of a \(t.dtype) tensor")
        return t.mutableRawPointer.assumingMemoryBound(to: UInt8.self)
    }

    static func unsupported(_ ctx: KernelContext, _ dtype: DType) -> InferError {
        ctx.error(.unsupportedDType, "\(ctx.node.opType) does not support \(dtype) tensors")
    }

    static func mismatch(_ ctx: KernelContext, _ a: DType, _ b: DType) -> InferError {
        ctx.error(.dtypeMismatch, "inputs have different types: \(a) and \(b)")
    }
}
