import InferIR
import InferKernels

/// Runtime bindings for the Math family (`MathOperators`): attributes in, `InferKernels` calls out.
package enum MathLowering {
    package static let bindings: [KernelBinding] = elementary + bitwise + others

    static let elementary: [KernelBinding] = [
        function("Tan", .tan), function("Asin", .asin), function("Acos", .acos), function("Atan", .atan),
        function("Sinh", .sinh), function("Cosh", .cosh), function("Asinh", .asinh), function("Acosh", .acosh),
        function("Atanh", .atanh),
        function("Shrink") { .shrink(lambda: Double(try $0.float("lambd", default: 0.5)), bias: Double(try $0.float("bias", default: 0))) },
        function("Swish") { .swish(alpha: Double(try $0.float("alpha", default: 1))) },
    ]

    static let bitwise: [KernelBinding] = [
        bits("BitwiseAnd") { _ in .and }, bits("BitwiseOr") { _ in .or }, bits("BitwiseXor") { _ in .xor },
        bits("BitShift") { try $0.string("direction") == "LEFT" ? .shiftLeft : .shiftRight },
        KernelBinding("BitwiseNot") { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0]
            guard x.dtype.isInteger, y.dtype == x.dtype else { throw ElementwiseLowering.unsupported(ctx, x.dtype) }
            IntegerBitKernels.not(x.rawPointer, y.mutableRawPointer, byteCount: x.byteCount)
        },
    ]

    static let others: [KernelBinding] = [
        KernelBinding("SwiGLU") { ctx in
            let a = try ctx.input(0), b = try ctx.input(1), y = ctx.outputs[0]
            guard a.shape == b.shape, a.dtype == b.dtype else { throw ctx.error(.invalidShape, "A \(a.type) and B \(b.type) must match") }
            let gate = try Tensor.zeros(a.dtype, shape: a.shape)
            let swish = ElementaryFunction.swish(alpha: Double(try ctx.node.float("alpha", default: 1)))
            switch a.dtype {
            case .float32: ElementaryFunctionKernels.apply(swish, a.pointer(as: Float.self), gate.pointer(as: Float.self), count: a.count)
            case .float64: ElementaryFunctionKernels.apply(swish, a.pointer(as: Double.self), gate.pointer(as: Double.self), count: a.count)
            default: throw ElementwiseLowering.unsupported(ctx, a.dtype)
            }
            try ElementwiseLowering.arithmetic(ctx, .mul, gate, b, y)
        },
        KernelBinding("BitCast") { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0]
            guard x.byteCount == y.byteCount else { throw ctx.error(.invalidShape, "BitCast changes the byte count") }
            if x.byteCount > 0 { y.mutableRawPointer.copyMemory(from: x.rawPointer, byteCount: x.byteCount) }
        },
        KernelBinding("CastLike") { ctx in try ElementwiseLowering.cast(ctx, try ctx.input(0), into: ctx.outputs[0]) },
        KernelBinding("Hardmax") { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0]
            let axis = try NormalizationOperators.softmaxAxis(ctx.shapeContext, rank: x.rank)
            // Before opset 13 the input is coerced to 2-D at `axis`; from 13 on, one axis only.
            let outer = x.shape[..<axis].reduce(1, *)
            let n = ctx.opset < 13 ? x.shape[axis...].reduce(1, *) : x.shape[axis]
            let inner = ctx.opset < 13 ? 1 : x.shape[(axis + 1)...].reduce(1, *)
            switch x.dtype {
            case .float32: HardmaxKernel.apply(x.pointer(as: Float.self), y.pointer(as: Float.self), outer: outer, n: n, inner: inner)
            case .float64: HardmaxKernel.apply(x.pointer(as: Double.self), y.pointer(as: Double.self), outer: outer, n: n, inner: inner)
            default: throw ElementwiseLowering.unsupported(ctx, x.dtype)
            }
        }.accumulatingIntoOutputs(),
        KernelBinding("EyeLike") { ctx in
            let y = ctx.outputs[0]
            guard y.rank == 2 else { throw ctx.error(.invalidShape, "EyeLike needs a 2-D input, got \(y.shape)") }
            let one = scalarTensor(1, as: y.dtype)
            let k = try ctx.node.int("k", default: 0)
            withExtendedLifetime(one) {
                DiagonalKernel.fill(y.mutableRawPointer, rows: y.shape[0], cols: y.shape[1], k: k, value: one.rawPointer,
                                    elementSize: y.dtype.byteSize)
            }
        }.accumulatingIntoOutputs(),
        KernelBinding("CumProd") { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0]
            let axis = try ReductionOperators.cumSumAxis(ctx.node, try ctx.input(1), rank: x.rank)
            let exclusive = try ctx.node.int("exclusive", default: 0) != 0
            let reverse = try ctx.node.int("reverse", default: 0) != 0
            let (outer, size, inner) = ReductionLowering.split(x.shape, at: axis)
            switch x.dtype {
            case .float32:
                CumulativeProductKernel.apply(x.pointer(as: Float.self), y.pointer(as: Float.self), outer: outer, axisSize: size,
                                              inner: inner, exclusive: exclusive, reverse: reverse)
            case .float64:
                CumulativeProductKernel.apply(x.pointer(as: Double.self), y.pointer(as: Double.self), outer: outer, axisSize: size,
                                              inner: inner, exclusive: exclusive, reverse: reverse)
            case .int64:
                CumulativeProductKernel.apply(x.pointer(as: Int64.self), y.pointer(as: Int64.self), outer: outer, axisSize: size,
                                              inner: inner, exclusive: exclusive, reverse: reverse)
            case .int32:
                CumulativeProductKernel.apply(x.pointer(as: Int32.self), y.pointer(as: Int32.self), outer: outer, axisSize: size,
                                              inner: inner, exclusive: exclusive, reverse: reverse)
            default: throw ElementwiseLowering.unsupported(ctx, x.dtype)
            }
        },
    ]

    // MARK: - Binding builders

    static func function(_ name: String, _ f: ElementaryFunction) -> KernelBinding {
        function(name) { _ in f }
    }

    static func function(_ name: String, _ makeFunction: @escaping @Sendable (Node) throws -> ElementaryFunction) -> KernelBinding {
        KernelBinding(name) { ctx in
            let x = try ctx.input(0), y = ctx.outputs[0], f = try makeFunction(ctx.node)
            guard y.dtype == x.dtype, y.count == x.count else {
                throw ctx.error(.invalidShape, "output \(y.type) does not match input \(x.type)")
            }
            switch x.dtype {
            case .float32: ElementaryFunctionKernels.apply(f, x.pointer(as: Float.self), y.pointer(as: Float.self), count: x.count)
            case .float64: ElementaryFunctionKernels.apply(f, x.pointer(as: Double.self), y.pointer(as: Double.self), count: x.count)
            default: throw ElementwiseLowering.unsupported(ctx, x.dtype)
            }
        }
    }

    static func bits(_ name: String, _ makeOp: @escaping @Sendable (Node) throws -> BitOp) -> KernelBinding {
        KernelBinding(name) { ctx in
            let a = try ctx.input(0), b = try ctx.input(1), out = ctx.outputs[0], op = try makeOp(ctx.node)
            guard a.dtype == b.dtype, out.dtype == a.dtype else { throw ElementwiseLowering.mismatch(ctx, a.dtype, b.dtype) }
            let loop = try ElementwiseLowering.broadcastLoop(ctx, out, [a, b])
            switch a.dtype {
            case .int64: IntegerBitKernels.apply(op, a.pointer(as: Int64.self), b.pointer(as: Int64.self), out.pointer(as: Int64.self), loop: loop)
            case .int32: IntegerBitKernels.apply(op, a.pointer(as: Int32.self), b.pointer(as: Int32.self), out.pointer(as: Int32.self), loop: loop)
            case .int8: IntegerBitKernels.apply(op, a.pointer(as: Int8.self), b.pointer(as: Int8.self), out.pointer(as: Int8.self), loop: loop)
            case .uint8: IntegerBitKernels.apply(op, a.pointer(as: UInt8.self), b.pointer(as: UInt8.self), out.pointer(as: UInt8.self), loop: loop)
            default: throw ElementwiseLowering.unsupported(ctx, a.dtype)
            }
        }
    }
}
