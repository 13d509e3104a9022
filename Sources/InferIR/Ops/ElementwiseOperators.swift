/// Shape inference for the Elementwise family (see the runtime's Lowering/ElementwiseLowering.swift):
/// unary maps keep their input type; binary and variadic ops broadcast NumPy-style.
package enum ElementwiseOperators {
    package static let schemas: [OperatorSchema] = arithmetic + unaryMaps + comparisons + special

    static let floats: Set<DType> = [.float32, .float64]
    static let numbers: Set<DType> = [.float32, .float64, .int64, .int32, .int8, .uint8]
    static let everything: Set<DType> = Set(DType.allCases)

    // MARK: - Operator lists

    static let arithmetic: [OperatorSchema] = [
        binary("Add", since: 1, numbers), binary("Sub", since: 1, numbers),
        binary("Mul", since: 1, numbers), binary("Div", since: 1, numbers),
        binary("Mod", since: 10, numbers),
        OperatorSchema("Pow", since: 1) { ctx in
            let base = try ctx.type(0), exponent = try ctx.type(1)
            try require(ctx, base.dtype, in: [.float32, .float64, .int64, .int32], "base")
            try require(ctx, exponent.dtype, in: numbers, "exponent")
            let shape = ctx.opset < 7 ? try legacyBroadcastShape(ctx) : try broadcastShape(ctx, [0, 1])
            return [ValueType(dtype: base.dtype, shape: shape)]
        },
        OperatorSchema("PRelu", since: 1) { ctx in
            let x = try ctx.type(0)
            _ = try sameDType(ctx, [0, 1], allowed: numbers)
            if ctx.opset < 7 {
                if let xd = x.staticDims, let sd = try ctx.type(1).staticDims {
                    _ = try legacySlopeShape(of: sd, for: xd, node: ctx.node, opset: ctx.opset)
                }
                return [x]
            }
            let shape = try broadcastShape(ctx, [0, 1])
            // The slope broadcasts to X (unidirectionally): the output is X's shape.
            if let s = shape, let xs = x.shape, s.count != xs.count || zip(s, xs).contains(where: { a, b in
                a.intValue != nil && b.intValue != nil && a != b }) {
                throw ctx.error(.invalidShape, "slope of shape \(ctx.inputTypes[1]?.description ?? "?") does not broadcast to X \(x)")
            }
            return [x]
        },
        // Before opset 8 these required equal shapes; broadcasting is a superset.
        variadic("Sum", since: 1, numbers), variadic("Mean", since: 1, floats),
        variadic("Min", since: 1, numbers), variadic("Max", since: 1, numbers),
    ]

    static let unaryMaps: [OperatorSchema] =
        // Opset 1 versions differ from 6 only by the ignored `consumed_inputs` attribute.
        [("Abs", 1), ("Neg", 1), ("Sign", 9), ("Relu", 1)].map { unary($0.0, since: $0.1, numbers) }
        + [("Sqrt", 1), ("Exp", 1), ("Log", 1), ("Reciprocal", 1), ("Tanh", 1), ("Sigmoid", 1), ("Erf", 9),
           ("Floor", 1), ("Ceil", 1), ("Round", 11), ("Sin", 7), ("Cos", 7), ("Softsign", 1), ("Softplus", 1),
           ("Mish", 18), ("HardSwish", 14), ("LeakyRelu", 1), ("Elu", 1), ("Selu", 1), ("Celu", 12),
           ("HardSigmoid", 1), ("ThresholdedRelu", 10)].map { unary($0.0, since: $0.1, floats) }
        + [gelu, unary("Clip", since: 1, numbers), unary("Not", since: 1, [.bool])]

    /// Gelu 20: a float map whose `approximate` is checked at import.
    static let gelu: OperatorSchema = {
        let map = unary("Gelu", since: 20, floats)
        return OperatorSchema("Gelu", since: 20) { ctx in
            _ = try geluTanhApproximation(ctx)
            return try map.inferTypes(ctx)
        }
    }()

    /// Gelu's `approximate` (ONNX's and swiftinfer's): "none" (the default, the erf form) or
    /// "tanh" (true).
    package static func geluTanhApproximation(_ ctx: ShapeContext) throws -> Bool {
        switch try ctx.node.string("approximate", default: "none") {
        case "none": return false
        case "tanh": return true
        case let other: throw ctx.error(.invalidModel, "approximate must be \"none\" or \"tanh\", not \"\(other)\"")
        }
    }

    static let comparisons: [OperatorSchema] = [
        binary("Equal", since: 1, everything, output: .bool),
        binary("Less", since: 1, numbers, output: .bool), binary("Greater", since: 1, numbers, output: .bool),
        binary("LessOrEqual", since: 12, numbers, output: .bool),
        binary("GreaterOrEqual", since: 12, numbers, output: .bool),
        binary("And", since: 1, [.bool]), binary("Or", since: 1, [.bool]), binary("Xor", since: 1, [.bool]),
        predicate("IsNaN", since: 9), predicate("IsInf", since: 10),
    ]

    static let special: [OperatorSchema] = [
        OperatorSchema("Where", since: 9) { ctx in
            try require(ctx, try ctx.type(0).dtype, in: [.bool], "condition")
            let dtype = try sameDType(ctx, [1, 2], allowed: everything)
            return [ValueType(dtype: dtype, shape: try broadcastShape(ctx, [0, 1, 2]))]
        },
        OperatorSchema("Cast", since: 1) { ctx in
            let x = try ctx.type(0)
            let code = try castTargetCode(ctx)
            guard let dtype = DType(onnxCode: code) else {
                throw ctx.error(.unsupportedDType, "cast to \(DType.onnxTypeName(code: code)) is not supported")
            }
            return [ValueType(dtype: dtype, shape: x.shape)]
        },
    ]

    /// Cast's `to`: a data-type code, or before opset 6 the type's name ("FLOAT", "INT64", ...).
    static func castTargetCode(_ ctx: ShapeContext) throws -> Int {
        guard ctx.opset < 6 else { return try ctx.node.int("to") }
        let name = try ctx.node.string("to")
        guard let code = DType.onnxCode(named: name) else {
            throw ctx.error(.invalidModel, "to \"\(name)\" is not the name of an ONNX data type")
        }
        return code
    }

    // MARK: - Schema builders

    /// Same type in, same type out.
    static func unary(_ name: String, since: Int, _ allowed: Set<DType>) -> OperatorSchema {
        OperatorSchema(name, since: since) { ctx in
            let x = try ctx.type(0)
            try require(ctx, x.dtype, in: allowed, "input")
            return [x]
        }
    }

    /// Two inputs of one type, broadcast; output of the input type unless `output` is given.
    static func binary(_ name: String, since: Int, _ allowed: Set<DType>, output: DType? = nil) -> OperatorSchema {
        OperatorSchema(name, since: since) { ctx in
            let dtype = try sameDType(ctx, [0, 1], allowed: allowed)
            let shape = ctx.opset < 7 ? try legacyBroadcastShape(ctx) : try broadcastShape(ctx, [0, 1])
            return [ValueType(dtype: output ?? dtype, shape: shape)]
        }
    }

    /// One or more inputs of one type, all broadcast together.
    static func variadic(_ name: String, since: Int, _ allowed: Set<DType>) -> OperatorSchema {
        OperatorSchema(name, since: since) { ctx in
            let inputs = Array(0..<ctx.node.inputs.count)
            guard !inputs.isEmpty else { throw ctx.error(.invalidModel, "needs at least one input") }
            let dtype = try sameDType(ctx, inputs, allowed: allowed)
            return [ValueType(dtype: dtype, shape: try broadcastShape(ctx, inputs))]
        }
    }

    /// Float in, bool of the same shape out.
    static func predicate(_ name: String, since: Int) -> OperatorSchema {
        OperatorSchema(name, since: since) { ctx in
            let x = try ctx.type(0)
            try require(ctx, x.dtype, in: floats, "input")
            return [ValueType(dtype: .bool, shape: x.shape)]
        }
    }

    // MARK: - Checks

    static func require(_ ctx: ShapeContext, _ dtype: DType, in allowed: Set<DType>, _ what: String) throws {
        guard allowed.contains(dtype) else {
            let names = allowed.map(\.onnxName).sorted().joined(separator: ", ")
            throw ctx.error(.unsupportedDType, "\(what) of type \(dtype) is not supported (expected one of \(names))")
        }
    }

    /// The common dtype of `inputs`, which must all agree and be allowed.
    static func sameDType(_ ctx: ShapeContext, _ inputs: [Int], allowed: Set<DType>) throws -> DType {
        let types = try inputs.map { try ctx.type($0) }
        let dtype = types[0].dtype
        if let other = types.first(where: { $0.dtype != dtype }) {
            throw ctx.error(.dtypeMismatch, "inputs have different types: \(dtype) and \(other.dtype)")
        }
        try require(ctx, dtype, in: allowed, "input")
        return dtype
    }

    /// Output shape of a binary op before opset 7: always A's (only B broadcasts, see `legacyAlignedShape`).
    static func legacyBroadcastShape(_ ctx: ShapeContext) throws -> [Dim]? {
        let a = try ctx.type(0), b = try ctx.type(1)
        if let ad = a.staticDims, let bd = b.staticDims {
            _ = try legacyAlignedShape(of: bd, onto: ad, node: ctx.node, opset: ctx.opset)
        }
        return a.shape
    }

    /// Before opset 7, B broadcast onto A only with `broadcast=1`: a single element anywhere, or
    /// B's shape matching A's dims from `axis` (default: suffix matching). Returns B's shape padded
    /// with 1s to A's rank, ready for NumPy-style broadcasting; throws when B does not fit.
    package static func legacyAlignedShape(of b: [Int], onto a: [Int], node: Node, opset: Int) throws -> [Int] {
        if b == a { return b }
        if b.reduce(1, *) == 1, b.count <= a.count { return [] }
        let fail = InferError.at(node, opset: opset, .invalidShape, "B \(b) does not broadcast onto A \(a) (opset \(opset) rules)")
        guard try node.int("broadcast", default: 0) != 0 else { throw fail }
        var axis = node.hasAttribute("axis") ? try node.int("axis") : a.count - b.count
        if axis < 0 { axis += a.count }
        guard axis >= 0, axis <= a.count - b.count,
              zip(a[axis..<(axis + b.count)], b).allSatisfy({ $0 == $1 || $1 == 1 }) else { throw fail }
        return [Int](repeating: 1, count: axis) + b + [Int](repeating: 1, count: a.count - axis - b.count)
    }

    /// PRelu before opset 7: the slope is one shared value, one value per element of X, or a
    /// 1-D tensor of one value per channel (axis 1, as Caffe2 and PyTorch meant it). Returns the
    /// slope's shape for NumPy-style broadcasting onto X; throws for any other shape.
    package static func legacySlopeShape(of slope: [Int], for x: [Int], node: Node, opset: Int) throws -> [Int] {
        if slope == x { return slope }
        if slope.reduce(1, *) == 1 { return [] }
        if slope.count == 1, x.count >= 2, slope[0] == x[1] {
            return [1, x[1]] + [Int](repeating: 1, count: x.count - 2)
        }
        throw InferError.at(node, opset: opset, .invalidShape,
                            "slope \(slope) is not one value, X's shape \(x) or one value per channel (opset \(opset) rules)")
    }

    /// The broadcast shape of `inputs`: exact when all are concrete, symbolic when ranks are known,
    /// nil when a rank is unknown. Incompatible shapes throw.
    static func broadcastShape(_ ctx: ShapeContext, _ inputs: [Int]) throws -> [Dim]? {
        let types = try inputs.map { try ctx.type($0) }
        let shapes = types.compactMap(\.shape)
        guard shapes.count == types.count else { return nil }
        let described = types.map(\.description).joined(separator: " and ")
        let concrete = types.compactMap(\.staticDims)
        if concrete.count == types.count {
            guard let result = Broadcasting.shape(concrete) else {
                throw ctx.error(.invalidShape, "shapes do not broadcast: \(described)")
            }
            return result.map { .value($0) }
        }
        var result: [Dim] = []
        for shape in shapes {
            guard let r = Broadcasting.shape(result, shape) else {
                throw ctx.error(.invalidShape, "shapes do not broadcast: \(described)")
            }
            result = r
        }
        return result
    }
}
