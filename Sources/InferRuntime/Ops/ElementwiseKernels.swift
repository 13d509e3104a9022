import InferIR
import InferKernels

/// Runtime bindings for the Elementwise family: attributes in, `InferKernels` calls out.
/// Shapes and dtypes were checked by shape inference (`ElementwiseOperators`); the bindings
/// re-check what an out-of-bounds access would depend on.
package enum ElementwiseKernels {
    package static let bindings: [KernelBinding] = arithmetic + unaryMaps + comparisons + special

    // MARK: - Operator lists

    static let arithmetic: [KernelBinding] = [
        binary("Add", .add), binary("Sub", .sub), binary("Mul", .mul), binary("Div", .div),
        binary("PRelu", .prelu),
        KernelBinding("Mod") { ctx in
            let op: BinaryOp = try ctx.node.int("fmod", default: 0) == 0 ? .mod : .fmod
            try arithmetic(ctx, op, try ctx.input(0), try ctx.input(1), ctx.outputs[0])
        },
        KernelBinding("Pow") { ctx in try power(ctx) },
        variadic("Sum", .add), variadic("Min", .min), variadic("Max", .max),
        KernelBinding("Mean") { ctx in
            try variadic(ctx, .add)
            let out = ctx.outputs[0]
            let divisor = out.dtype == .float64 ? Tensor(scalar: Double(ctx.inputs.count)) : Tensor(scalar: Float(ctx.inputs.count))
            try arithmetic(ctx, .div, out, divisor, out)
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
        // Gelu: FusedTransformerKernels (one vectorized kernel for ONNX Gelu and swiftinfer.Gelu).
        KernelBinding("Clip") { ctx in try clip(ctx) },
        KernelBinding("Not") { ctx in
            let x = try ctx.input(0)
            guard x.dtype == .bool else { throw unsupported(ctx, x.dtype) }
            UnaryKernels.logicalNot(bytes(x), bytes(ctx.outputs[0]), count: x.count)
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
        KernelBinding("Where") { ctx in
            let condition = try ctx.input(0), x = try ctx.input(1), y = try ctx.input(2), out = ctx.outputs[0]
            guard condition.dtype == .bool, x.dtype == y.dtype, out.dtype == x.dtype else {
                throw ctx.error(.dtypeMismatch, "Where needs a bool condition and two inputs of one type")
            }
            let loop = try broadcastLoop(ctx, out, [condition, x, y])
            SelectKernels.select(elementSize: x.dtype.byteSize, condition: bytes(condition), x.rawPointer, y.rawPointer,
                                 out.mutableRawPointer, loop: loop, threads: ctx.threads)
        },
        KernelBinding("Cast") { ctx in
            let x = try ctx.input(0), out = ctx.outputs[0]
            try cast(ctx, x, into: out)
        },
    ]

    // MARK: - Binding builders

    static func unary(_ name: String, _ op: UnaryOp) -> KernelBinding {
        unary(name) { _ in op }
    }

    static func unary(_ name: String, _ makeOp: @escaping @Sendable (Node) throws -> UnaryOp) -> KernelBinding {
        KernelBinding(name) { ctx in
            try unary(ctx, try makeOp(ctx.node), try ctx.input(0), ctx.outputs[0])
        }
    }

    static func binary(_ name: String, _ op: BinaryOp) -> KernelBinding {
        KernelBinding(name) { ctx in try arithmetic(ctx, op, try ctx.input(0), try ctx.input(1), ctx.outputs[0]) }
    }

    static func variadic(_ name: String, _ op: BinaryOp) -> KernelBinding {
        KernelBinding(name) { ctx in try variadic(ctx, op) }
    }

    static func compare(_ name: String, _ op: CompareOp) -> KernelBinding {
        KernelBinding(name) { ctx in
            let a = try ctx.input(0), b = try ctx.input(1), out = ctx.outputs[0]
            guard a.dtype == b.dtype else { throw mismatch(ctx, a.dtype, b.dtype) }
            let loop = try broadcastLoop(ctx, out, [a, b])
            let y = bytes(out), t = ctx.threads
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

    static func logical(_ name: String, _ op: LogicalOp) -> KernelBinding {
        KernelBinding(name) { ctx in
            let a = try ctx.input(0), b = try ctx.input(1), out = ctx.outputs[0]
            guard a.dtype == .bool, b.dtype == .bool else { throw unsupported(ctx, a.dtype == .bool ? b.dtype : a.dtype) }
            let loop = try broadcastLoop(ctx, out, [a, b])
            BinaryKernels.logical(op, bytes(a), bytes(b), bytes(out), loop: loop, threads: ctx.threads)
        }
    }

    // MARK: - Shared runners

    /// `out = op(x)` elementwise; `x` and `out` have the same shape and may be the same tensor.
    static func unary(_ ctx: KernelContext, _ op: UnaryOp, _ x: Tensor, _ out: Tensor) throws {
        guard x.dtype == out.dtype, x.count == out.count else {
            throw ctx.error(.invalidShape, "output \(out.type) does not match input \(x.type)")
        }
        let n = x.count, t = ctx.threads
        if x.dtype.isInteger && !op.supportsIntegers { throw unsupported(ctx, x.dtype) }
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

    /// `out = op(a, b)` with broadcasting; `out` may be `a` when `a` already has the output shape.
    static func arithmetic(_ ctx: KernelContext, _ op: BinaryOp, _ a: Tensor, _ b: Tensor, _ out: Tensor) throws {
        guard a.dtype == b.dtype else { throw mismatch(ctx, a.dtype, b.dtype) }
        guard out.dtype == a.dtype else { throw mismatch(ctx, a.dtype, out.dtype) }
        let loop = try broadcastLoop(ctx, out, [a, b])
        let t = ctx.threads
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

    /// Sum / Min / Max: the first two inputs into the output, then each further input folded in.
    static func variadic(_ ctx: KernelContext, _ op: BinaryOp) throws {
        let inputs = try (0..<ctx.inputs.count).map { try ctx.input($0) }
        let out = ctx.outputs[0]
        guard let first = inputs.first else { throw ctx.error(.invalidModel, "needs at least one input") }
        guard inputs.count > 1 else {
            guard first.dtype == out.dtype else { throw mismatch(ctx, first.dtype, out.dtype) }
            let loop = try broadcastLoop(ctx, out, [first])
            SelectKernels.broadcastCopy(elementSize: first.dtype.byteSize, first.rawPointer, out.mutableRawPointer,
                                        loop: loop, threads: ctx.threads)
            return
        }
        try arithmetic(ctx, op, inputs[0], inputs[1], out)
        for next in inputs.dropFirst(2) { try arithmetic(ctx, op, out, next, out) }
    }

    /// Pow: the exponent may have another type than the base. Float bases take the exponent
    /// converted to their type; integer bases with a float exponent compute in double and
    /// truncate back, as ONNX Runtime does. `x ** 2` runs as `x * x`.
    static func power(_ ctx: KernelContext) throws {
        let base = try ctx.input(0), exponent = try ctx.input(1), out = ctx.outputs[0]
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

    static func cast(_ ctx: KernelContext, _ x: Tensor, into out: Tensor) throws {
        guard x.count == out.count else { throw ctx.error(.invalidShape, "cast output \(out.shape) does not match input \(x.shape)") }
        CastKernels.cast(from: kind(x.dtype), x.rawPointer, to: kind(out.dtype), out.mutableRawPointer, count: x.count)
    }

    static func converted(_ ctx: KernelContext, _ x: Tensor, to dtype: DType) throws -> Tensor {
        if x.dtype == dtype { return x }
        let out = try Tensor.zeros(dtype, shape: x.shape)
        try cast(ctx, x, into: out)
        return out
    }

    // MARK: - Helpers

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

    static func kind(_ dtype: DType) -> ElementKind {
        switch dtype {
        case .float32: .float32
        case .float64: .float64
        case .int64: .int64
        case .int32: .int32
        case .int8: .int8
        case .uint8: .uint8
        case .bool: .bool
        }
    }

    static func unsupported(_ ctx: KernelContext, _ dtype: DType) -> InferError {
        ctx.error(.unsupportedDType, "\(ctx.node.opType) does not support \(dtype) tensors")
    }

    static func mismatch(_ ctx: KernelContext, _ a: DType, _ b: DType) -> InferError {
        ctx.error(.dtypeMismatch, "inputs have different types: \(a) and \(b)")
    }
}
