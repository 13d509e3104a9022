/// Slice: starts/ends/axes attributes (opset 1) or inputs starts, ends, axes, steps (>= 10),
/// with negative indices, negative steps and huge ends (INT64_MAX) clamped as ONNX says.
package enum SliceOperator {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Slice", since: 1) { ctx in
            let data = try ctx.type(0)
            guard let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            guard let params = try SliceParameters.read(ctx, rank: shape.count) else {
                // Axes known but bounds unknown: only the sliced dims become unknown.
                if ctx.opset >= 10, ctx.hasInput(3), let axes = try ctx.intValues(3, "axes") {
                    let sliced = Set(try ctx.axes(axes, rank: shape.count))
                    return [ValueType(dtype: data.dtype, shape: shape.enumerated().map { sliced.contains($0.offset) ? .unknown : $0.element })]
                }
                return [ValueType(dtype: data.dtype, shape: Array(repeating: .unknown, count: shape.count))]
            }
            var out = shape
            for (k, axis) in params.axes.enumerated() {
                let (start, end, step) = (params.starts[k], params.ends[k], params.steps[k])
                if let dim = shape[axis].intValue {
                    out[axis] = .value(SliceParameters.resolve(start: start, end: end, step: step, dim: dim).count)
                } else if step == 1 && start == 0 && end >= Int(Int32.max) {
                    out[axis] = shape[axis]  // the whole dim, whatever it is
                } else {
                    out[axis] = .unknown
                }
            }
            return [ValueType(dtype: data.dtype, shape: out)]
        },
    ]
}

/// Slice's parameters, normalized: one entry per sliced axis (axes made non-negative).
package struct SliceParameters {
    package var starts: [Int]
    package var ends: [Int]
    package var axes: [Int]
    package var steps: [Int]

    /// Reads attributes or inputs; nil when an input value is not known yet.
    package static func read(_ ctx: ShapeContext, rank: Int) throws -> SliceParameters? {
        let starts, ends: [Int]
        var axes: [Int]?
        var steps: [Int]?
        if ctx.opset < 10 {
            starts = try ctx.node.ints("starts")
            ends = try ctx.node.ints("ends")
            axes = try ctx.node.intsIfPresent("axes")
        } else {
            guard let s = try ctx.intValues(1, "starts"), let e = try ctx.intValues(2, "ends") else { return nil }
            starts = s
            ends = e
            if ctx.hasInput(3) { guard let a = try ctx.intValues(3, "axes") else { return nil }; axes = a }
            if ctx.hasInput(4) { guard let t = try ctx.intValues(4, "steps") else { return nil }; steps = t }
        }
        let n = starts.count
        guard ends.count == n, axes.map({ $0.count == n }) ?? true, steps.map({ $0.count == n }) ?? true else {
            throw ctx.error(.invalidModel, "starts, ends, axes and steps must have the same length")
        }
        let normalized = try ctx.axes(axes ?? Array(0..<n), rank: rank)
        let s = steps ?? Array(repeating: 1, count: n)
        if s.contains(0) { throw ctx.error(.invalidModel, "steps must not be 0") }
        return SliceParameters(starts: starts, ends: ends, axes: normalized, steps: s)
    }

    /// First index, step and element count along one dim of size `dim`.
    package static func resolve(start: Int, end: Int, step: Int, dim: Int) -> (start: Int, step: Int, count: Int) {
        guard dim > 0 else { return (0, 1, 0) }
        // Any |step| > dim takes at most one element; clamping keeps the arithmetic in range.
        let step = max(-(dim + 1), min(dim + 1, step))
        var s = start < 0 ? start + dim : start
        var e = end < 0 ? end + dim : end
        if step > 0 {
            s = max(0, min(dim, s))
            e = max(0, min(dim, e))
            return (s, step, e > s ? (e - s + step - 1) / step : 0)
        }
        s = max(0, min(dim - 1, s))
        e = max(-1, min(dim - 1, e))
        return (s, step, s > e ? (s - e - step - 1) / -step : 0)
    }

    /// Per output dim: first source index, step and count, for a concrete input shape.
    package func plan(dims: [Int]) -> [(start: Int, step: Int, count: Int)] {
        var plan = dims.map { (start: 0, step: 1, count: $0) }
        for (k, axis) in axes.enumerated() {
            plan[axis] = Self.resolve(start: starts[k], end: ends[k], step: steps[k], dim: dims[axis])
        }
        return plan
    }
}
