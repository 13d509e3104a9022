import Foundation

/// Ops whose output is made from attributes or shapes rather than moved: Shape, Size,
/// ConstantOfShape, Constant, Range.
package enum GeneratorOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Shape", since: 1) { ctx in
            let data = try ctx.type(0)
            guard let rank = data.rank else { return [ValueType(dtype: .int64, shape: [.unknown])] }
            let (lo, hi) = try shapeRange(ctx, rank: rank)
            return [ValueType(dtype: .int64, dims: [hi - lo])]
        },
        OperatorSchema("Size", since: 1) { ctx in
            _ = try ctx.type(0)
            return [ValueType(dtype: .int64, dims: [])]
        },
        OperatorSchema("ConstantOfShape", since: 9) { ctx in
            let fill = try constantOfShapeValue(ctx)
            guard let dims = try ctx.intValues(0, "shape") else {
                if let n = ctx.staticLength(0) { return [ValueType(dtype: fill.dtype, shape: Array(repeating: .unknown, count: n))] }
                return [ValueType(dtype: fill.dtype, shape: nil)]
            }
            return [try ctx.checkedType(fill.dtype, dims)]
        },
        OperatorSchema("Constant", since: 1) { ctx in
            [try constantValue(ctx).type]
        },
        OperatorSchema("Range", since: 11) { ctx in
            let dtype = try ctx.type(0).dtype
            for i in 1...2 where try ctx.type(i).dtype != dtype {
                throw ctx.error(.invalidModel, "start, limit and delta must share one dtype")
            }
            guard [.float32, .float64, .int64, .int32].contains(dtype) else {
                throw ctx.error(.unsupportedDType, "Range does not support \(dtype)")
            }
            guard let start = ctx.value(0), let limit = ctx.value(1), let delta = ctx.value(2) else {
                return [ValueType(dtype: dtype, shape: [.unknown])]
            }
            return [try ctx.checkedType(dtype, [try rangeCount(ctx, start, limit, delta)])]
        },
    ]

    /// Shape's [start, end) after opset-15 clamping.
    package static func shapeRange(_ ctx: ShapeContext, rank: Int) throws -> (Int, Int) {
        guard ctx.opset >= 15 else { return (0, rank) }
        func clamp(_ v: Int) -> Int { max(0, min(rank, v < 0 ? v + rank : v)) }
        let lo = clamp(try ctx.node.int("start", default: 0))
        let hi = ctx.node.hasAttribute("end") ? clamp(try ctx.node.int("end")) : rank
        return (lo, max(lo, hi))
    }

    /// ConstantOfShape's one-element fill value (default float 0).
    package static func constantOfShapeValue(_ ctx: ShapeContext) throws -> Tensor {
        guard let t = try ctx.node.tensor("value") else { return Tensor(scalar: Float(0)) }
        guard t.count == 1 else { throw ctx.error(.invalidModel, "value must hold exactly one element, got \(t.shape)") }
        return t
    }

    /// The tensor a Constant node produces, from whichever value attribute it has.
    package static func constantValue(_ ctx: ShapeContext) throws -> Tensor {
        let node = ctx.node
        for unsupported in ["sparse_value", "value_string", "value_strings"] where node.hasAttribute(unsupported) {
            throw ctx.error(.unsupportedFeature, "Constant with \(unsupported) is not supported")
        }
        if let t = try node.tensor("value") { return t }
        if node.hasAttribute("value_float") { return Tensor(scalar: try node.float("value_float")) }
        if node.hasAttribute("value_floats") { let v = try node.floats("value_floats"); return try Tensor(shape: [v.count], scalars: v) }
        if node.hasAttribute("value_int") { return Tensor(scalar: Int64(try node.int("value_int"))) }
        if node.hasAttribute("value_ints") { let v = try node.ints("value_ints").map(Int64.init); return try Tensor(shape: [v.count], scalars: v) }
        throw ctx.error(.invalidModel, "Constant has no value attribute")
    }

    /// max(ceil((limit - start) / delta), 0), without overflow or a crash on NaN/inf.
    package static func rangeCount(_ ctx: ShapeContext, _ start: Tensor, _ limit: Tensor, _ delta: Tensor) throws -> Int {
        guard start.count == 1, limit.count == 1, delta.count == 1 else {
            throw ctx.error(.invalidShape, "start, limit and delta must be scalars")
        }
        let n: Double
        if start.dtype.isFloatingPoint {
            let (s, l, d) = (start.doubleValues()[0], limit.doubleValues()[0], delta.doubleValues()[0])
            guard d != 0, s.isFinite, l.isFinite, d.isFinite else {
                throw ctx.error(.invalidModel, "Range needs finite start/limit and a non-zero delta")
            }
            // Float32 ranges are counted in float32, as the ONNX reference does.
            n = start.dtype == .float32 ? Double(((Float(l) - Float(s)) / Float(d)).rounded(.up)) : ((l - s) / d).rounded(.up)
        } else {
            let (s, l, d) = (start.intValues()[0], limit.intValues()[0], delta.intValues()[0])
            guard d != 0 else { throw ctx.error(.invalidModel, "Range needs a non-zero delta") }
            let (diff, o) = l.subtractingReportingOverflow(s)
            guard !o else { throw ctx.error(.invalidShape, "Range from \(s) to \(l) is too large") }
            // ceil division for either sign.
            let q = diff / d
            n = Double(q + ((diff % d != 0 && (diff > 0) == (d > 0)) ? 1 : 0))
        }
        // The caller's checkedType then holds the count to the tensor limit.
        return max(try ctx.checked.integer(n, "Range's element count"), 0)
    }
}
