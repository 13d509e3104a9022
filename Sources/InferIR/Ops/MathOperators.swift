/// Shape inference for the Math family (see the runtime's Lowering/MathLowering.swift): the less common
/// elementwise functions (trigonometric, hyperbolic, Shrink, Swish), integer bit operators,
/// CastLike, Hardmax, EyeLike and CumProd.
package enum MathOperators {
    package static let schemas: [OperatorSchema] = elementary + bitwise + others

    static let floats = ElementwiseOperators.floats
    static let integers: Set<DType> = [.int64, .int32, .int8, .uint8]

    static let elementary: [OperatorSchema] =
        [("Tan", 7), ("Asin", 7), ("Acos", 7), ("Atan", 7), ("Sinh", 9), ("Cosh", 9), ("Asinh", 9), ("Acosh", 9),
         ("Atanh", 9), ("Shrink", 9), ("Swish", 24)].map { ElementwiseOperators.unary($0.0, since: $0.1, floats) }

    static let bitwise: [OperatorSchema] = [
        ElementwiseOperators.binary("BitwiseAnd", since: 18, integers),
        ElementwiseOperators.binary("BitwiseOr", since: 18, integers),
        ElementwiseOperators.binary("BitwiseXor", since: 18, integers),
        ElementwiseOperators.unary("BitwiseNot", since: 18, integers),
        // Opset 11 allowed only unsigned types; 28 added signed ones with the same semantics.
        OperatorSchema("BitShift", since: 11) { ctx in
            let direction = try ctx.node.string("direction")
            guard direction == "LEFT" || direction == "RIGHT" else {
                throw ctx.error(.invalidModel, "direction must be \"LEFT\" or \"RIGHT\", not \"\(direction)\"")
            }
            let dtype = try ElementwiseOperators.sameDType(ctx, [0, 1], allowed: integers)
            return [ValueType(dtype: dtype, shape: try ElementwiseOperators.broadcastShape(ctx, [0, 1]))]
        },
    ]

    static let others: [OperatorSchema] = [
        // SwiGLU: `A * sigmoid(alpha * A) * B`, A and B of one shape (no broadcasting).
        OperatorSchema("SwiGLU", since: 28) { ctx in
            let a = try ctx.type(0), b = try ctx.type(1)
            _ = try ElementwiseOperators.sameDType(ctx, [0, 1], allowed: floats)
            if let x = a.staticDims, let y = b.staticDims, x != y { throw ctx.error(.invalidShape, "A \(a) and B \(b) must have one shape") }
            return [a]
        },
        // BitCast between types of one element size: the same bytes, another type.
        OperatorSchema("BitCast", since: 26) { ctx in
            let x = try ctx.type(0)
            let code = try ctx.node.int("to")
            guard let dtype = DType(onnxCode: code) else {
                throw ctx.error(.unsupportedDType, "BitCast to \(DType.onnxTypeName(code: code)) is not supported")
            }
            guard dtype.byteSize == x.dtype.byteSize else {
                throw ctx.error(.invalidModel, "BitCast from \(x.dtype) to \(dtype) changes the element size")
            }
            return [ValueType(dtype: dtype, shape: x.shape)]
        },
        OperatorSchema("CastLike", since: 15) { ctx in
            [ValueType(dtype: try ctx.type(1).dtype, shape: try ctx.type(0).shape)]
        },
        OperatorSchema("Hardmax", since: 1) { ctx in
            let x = try ctx.type(0)
            try ElementwiseOperators.require(ctx, x.dtype, in: floats, "input")
            if let rank = x.rank { _ = try NormalizationOperators.softmaxAxis(ctx, rank: rank) }  // same axis rule as Softmax
            return [x]
        },
        OperatorSchema("EyeLike", since: 9) { ctx in
            let x = try ctx.type(0)
            if let rank = x.rank, rank != 2 { throw ctx.error(.invalidShape, "input must be 2-D, got \(x)") }
            var dtype = x.dtype
            if ctx.node.hasAttribute("dtype") {
                let code = try ctx.node.int("dtype")
                guard let chosen = DType(onnxCode: code) else {
                    throw ctx.error(.unsupportedDType, "dtype \(DType.onnxTypeName(code: code)) is not supported")
                }
                dtype = chosen
            }
            return [ValueType(dtype: dtype, shape: x.shape)]
        },
        OperatorSchema("CumProd", since: 26) { ctx in
            let x = try ctx.type(0)
            try ElementwiseOperators.require(ctx, x.dtype, in: [.float32, .float64, .int32, .int64], "input")
            if let axisValue = ctx.value(1), let rank = x.rank {
                _ = try ReductionOperators.cumSumAxis(ctx.node, axisValue, rank: rank)
            }
            return [x]
        },
    ]
}
