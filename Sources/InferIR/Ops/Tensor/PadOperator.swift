/// Pad: pads attribute (`paddings` in Pad-1, `pads` to opset 10) or input (>= 11), constant
/// value attribute/input, axes input (>= 18); modes constant, reflect, edge, wrap (>= 19).
/// Negative pads crop.
package enum PadOperator {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Pad", since: 1) { ctx in
            let data = try ctx.type(0)
            _ = try PadParameters.mode(ctx)
            guard let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            guard let pads = try PadParameters.read(ctx, rank: shape.count) else {
                return [ValueType(dtype: data.dtype, shape: Array(repeating: .unknown, count: shape.count))]
            }
            var out: [Dim] = []
            for (d, dim) in shape.enumerated() {
                let (b, e) = (pads.begins[d], pads.ends[d])
                if b == 0 && e == 0 { out.append(dim); continue }
                guard let v = dim.intValue else { out.append(.unknown); continue }
                let (t1, o1) = v.addingReportingOverflow(b)
                let (t2, o2) = t1.addingReportingOverflow(e)
                guard !o1, !o2, t2 >= 0 else { throw ctx.error(.invalidShape, "pads \(b), \(e) on a dim of \(v) give a size below 0 or overflow") }
                out.append(.value(t2))
            }
            return [try ctx.checkedType(data.dtype, out)]
        },
    ]
}

package struct PadParameters {
    package enum Mode: String { case constant, reflect, edge, wrap }

    /// Pad amounts before and after, one per input dim.
    package var begins: [Int]
    package var ends: [Int]

    package static func mode(_ ctx: ShapeContext) throws -> Mode {
        let name = try ctx.node.string("mode", default: "constant")
        guard let mode = Mode(rawValue: name), mode != .wrap || ctx.opset >= 19 else {
            throw ctx.error(.invalidModel, "mode \"\(name)\" is not one of constant, reflect, edge\(ctx.opset >= 19 ? ", wrap" : "")")
        }
        return mode
    }

    /// nil when the pads (or axes) input value is not known yet.
    package static func read(_ ctx: ShapeContext, rank: Int) throws -> PadParameters? {
        let pads: [Int]
        var axes = Array(0..<rank)
        if ctx.opset < 11 {
            // Pad-1's `paddings` has the layout of Pad-2's `pads` (all begins, then all ends), as
            // its text and onnx.reference say (its example reads them per axis instead).
            pads = try ctx.node.ints(ctx.opset < 2 ? "paddings" : "pads")
        } else {
            guard let p = try ctx.intValues(1, "pads") else { return nil }
            pads = p
            if ctx.opset >= 18, ctx.hasInput(3) {
                guard let a = try ctx.intValues(3, "axes") else { return nil }
                axes = try ctx.axes(a, rank: rank)
            }
        }
        guard pads.count == 2 * axes.count else {
            throw ctx.error(.invalidModel, "pads has \(pads.count) entries, expected \(2 * axes.count)")
        }
        var params = PadParameters(begins: Array(repeating: 0, count: rank), ends: Array(repeating: 0, count: rank))
        for (k, a) in axes.enumerated() {
            params.begins[a] = pads[k]
            params.ends[a] = pads[axes.count + k]
        }
        return params
    }

    /// For each output index along a dim of source size `dim`: the source index, or -1 (fill).
    package static func mapping(dim: Int, begin: Int, end: Int, mode: Mode) -> [Int] {
        let outSize = dim + begin + end
        return (0..<max(outSize, 0)).map { o in
            let i = o - begin
            if i >= 0 && i < dim { return i }
            switch mode {
            case .constant: return -1
            case .edge: return i < 0 ? 0 : dim - 1
            case .wrap: return ((i % dim) + dim) % dim
            case .reflect:
                if dim == 1 { return 0 }
                let period = 2 * (dim - 1)
                let m = ((i % period) + period) % period
                return m < dim ? m : period - m
            }
        }
    }
}
