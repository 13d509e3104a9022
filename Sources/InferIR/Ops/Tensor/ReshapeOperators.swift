/// Ops that keep the bytes and change only the shape (Reshape, Squeeze, Unsqueeze, Flatten)
/// or not even that (Identity, Dropout at inference).
package enum ReshapeOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Reshape", since: 1) { ctx in
            let data = try ctx.type(0)
            let allowZero = ctx.opset >= 14 ? try ctx.node.int("allowzero", default: 0) != 0 : false
            let target: [Int]?
            if ctx.opset < 5 {
                target = try ctx.node.ints("shape")
            } else {
                target = try ctx.intValues(1, "shape")
            }
            guard let target else {
                // Unknown shape value: the rank is still known when the shape tensor's length is.
                if let n = ctx.staticLength(1) { return [ValueType(dtype: data.dtype, shape: Array(repeating: .unknown, count: n))] }
                return [ValueType(dtype: data.dtype, shape: nil)]
            }
            return [try reshapeType(ctx, data, target, allowZero: allowZero)]
        },
        OperatorSchema("Squeeze", since: 1) { ctx in
            let data = try ctx.type(0)
            let axes: [Int]?
            if ctx.opset < 13 {
                axes = try ctx.node.intsIfPresent("axes")
            } else if ctx.hasInput(1) {
                guard let known = try ctx.intValues(1, "axes") else {
                    if let r = data.rank, let n = ctx.staticLength(1) {
                        return [ValueType(dtype: data.dtype, shape: Array(repeating: .unknown, count: max(r - n, 0)))]
                    }
                    return [ValueType(dtype: data.dtype, shape: nil)]
                }
                axes = known
            } else {
                axes = nil
            }
            guard let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            guard let axes else {
                // Squeeze every size-1 dim: only decidable when no dim is symbolic.
                if shape.contains(where: { $0.intValue == nil }) { return [ValueType(dtype: data.dtype, shape: nil)] }
                return [ValueType(dtype: data.dtype, shape: shape.filter { $0 != .value(1) })]
            }
            let removed = Set(try ctx.axes(axes, rank: shape.count))
            for a in removed {
                if let v = shape[a].intValue, v != 1 {
                    throw ctx.error(.invalidShape, "cannot squeeze axis \(a) of size \(v) (shape \(data))")
                }
            }
            return [ValueType(dtype: data.dtype, shape: shape.enumerated().filter { !removed.contains($0.offset) }.map(\.element))]
        },
        OperatorSchema("Unsqueeze", since: 1) { ctx in
            let data = try ctx.type(0)
            let axes: [Int]
            if ctx.opset < 13 {
                axes = try ctx.node.ints("axes")
            } else {
                guard ctx.hasInput(1) else { throw ctx.error(.invalidModel, "axes input is required") }
                guard let known = try ctx.intValues(1, "axes") else {
                    if let r = data.rank, let n = ctx.staticLength(1) {
                        return [ValueType(dtype: data.dtype, shape: Array(repeating: .unknown, count: r + n))]
                    }
                    return [ValueType(dtype: data.dtype, shape: nil)]
                }
                axes = known
            }
            guard let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            let rank = shape.count + axes.count
            let inserted = Set(try ctx.axes(axes, rank: rank))
            var rest = shape.makeIterator()
            let out: [Dim] = (0..<rank).map { inserted.contains($0) ? .value(1) : rest.next()! }
            return [ValueType(dtype: data.dtype, shape: out)]
        },
        OperatorSchema("Flatten", since: 1) { ctx in
            let data = try ctx.type(0)
            let rawAxis = try ctx.node.int("axis", default: 1)
            guard let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: [.unknown, .unknown])] }
            let r = shape.count
            if ctx.opset < 11 && rawAxis < 0 {
                throw ctx.error(.invalidModel, "negative axis \(rawAxis) needs opset 11")
            }
            let axis = rawAxis < 0 ? rawAxis + r : rawAxis
            guard axis >= 0, axis <= r else { throw ctx.error(.invalidModel, "axis \(rawAxis) is out of range for rank \(r)") }
            guard let outer = Dim.product(shape[..<axis]), let inner = Dim.product(shape[axis...]) else {
                throw ctx.error(.invalidShape, "shape \(data) overflows")
            }
            return [ValueType(dtype: data.dtype, shape: [outer, inner])]
        },
        OperatorSchema("Identity", since: 1) { ctx in [try ctx.type(0)] },
        OperatorSchema("Dropout", since: 1) { ctx in
            let data = try ctx.type(0)
            try NormalizationOperators.requireInferenceMode(ctx.node, opset: ctx.opset)  // is_test before opset 7
            if ctx.opset >= 12, ctx.hasInput(2), let mode = ctx.value(2) {
                if mode.doubleValues().first.map({ $0 != 0 }) ?? false {
                    throw ctx.error(.unsupportedFeature, "training_mode=true is not supported (inference only)")
                }
            }
            var out = [data]
            if ctx.node.outputs.count > 1 { out.append(ValueType(dtype: .bool, shape: data.shape)) }
            return out
        },
    ]

    /// Reshape's output for a known target: 0 copies the input dim (unless allowzero), one -1
    /// is inferred, and the element counts must agree when they are known.
    static func reshapeType(_ ctx: ShapeContext, _ data: ValueType, _ target: [Int], allowZero: Bool) throws -> ValueType {
        var out: [Dim] = []
        var inferAt: Int?
        for (i, s) in target.enumerated() {
            if s == -1 {
                guard inferAt == nil else { throw ctx.error(.invalidShape, "shape \(target) has more than one -1") }
                inferAt = i
                out.append(.unknown)
            } else if s == 0 && !allowZero {
                guard let shape = data.shape else { out.append(.unknown); continue }
                guard i < shape.count else {
                    throw ctx.error(.invalidShape, "shape \(target) copies dim \(i) (0) but the input \(data) has rank \(shape.count)")
                }
                out.append(shape[i])
            } else if s < 0 {
                throw ctx.error(.invalidShape, "shape \(target) has invalid dim \(s)")
            } else {
                out.append(.value(s))
            }
        }
        if allowZero, inferAt != nil, target.contains(0) {
            throw ctx.error(.invalidShape, "shape \(target) mixes 0 and -1 with allowzero=1")
        }
        guard let inShape = data.shape else { return try ctx.checkedType(data.dtype, out) }

        // Split both sides into a known product and a multiset of symbols; matching symbols cancel.
        func factor(_ dims: [Dim]) throws -> (known: Int, symbols: [String], unknown: Bool) {
            var known = 1
            var symbols: [String] = []
            var unknown = false
            for d in dims {
                switch d {
                case .value(let v):
                    let (r, o) = known.multipliedReportingOverflow(by: v)
                    if o { throw ctx.error(.invalidShape, "shape \(target) for input \(data) overflows") }
                    known = r
                case .symbol(let s): symbols.append(s)
                case .unknown: unknown = true
                }
            }
            return (known, symbols.sorted(), unknown)
        }
        let input = try factor(inShape)
        let others = try factor(out.enumerated().filter { $0.offset != inferAt }.map(\.element))
        let comparable = !input.unknown && !others.unknown && input.symbols == others.symbols
        if let inferAt {
            if comparable {
                guard others.known != 0 else {
                    throw ctx.error(.invalidShape, "cannot infer -1 in shape \(target): the other dims hold zero elements")
                }
                guard input.known % others.known == 0 else {
                    throw ctx.error(.invalidShape, "cannot reshape \(data) to \(target): element counts do not divide")
                }
                out[inferAt] = .value(input.known / others.known)
            }
        } else if comparable, input.known != others.known {
            throw ctx.error(.invalidShape, "cannot reshape \(data) (\(input.known) elements) to \(target) (\(others.known) elements)")
        }
        return try ctx.checkedType(data.dtype, out)
    }
}
