/// Shared pieces of Tensor-family shape inference: reading integer inputs (shapes, axes,
/// indices), guarding absurd sizes, and arithmetic on possibly symbolic dims.
extension ShapeContext {
    /// The known value of integer input `i` (int32 or int64) as Ints; nil when omitted or unknown.
    package func intValues(_ i: Int, _ what: String) throws -> [Int]? {
        guard let t = value(i) else { return nil }
        guard t.dtype == .int64 || t.dtype == .int32 else {
            throw error(.invalidModel, "\(what) must be int64 or int32, got \(t.dtype)")
        }
        return t.intValues()
    }

    /// The known value of input `i` as Ints where an old spec types it like the data (Split-1's
    /// `split`, Tile-1's `tiles` and `axis` are float tensors): any numeric type, whole numbers only.
    package func wholeNumberValues(_ i: Int, _ what: String) throws -> [Int]? {
        guard let t = value(i) else { return nil }
        if t.dtype.isInteger { return t.intValues() }
        guard t.dtype.isFloatingPoint else { throw error(.invalidModel, "\(what) must be numeric, got \(t.dtype)") }
        return try t.doubleValues().map { v in
            guard v == v.rounded(), abs(v) < 1e15 else { throw error(.invalidModel, "\(what) value \(v) is not a whole number") }
            return Int(v)
        }
    }

    /// Length of 1-D input `i` when its type says so statically (e.g. a shape tensor of type int64[3]).
    package func staticLength(_ i: Int) -> Int? {
        guard hasInput(i), i < inputTypes.count, let shape = inputTypes[i]?.shape else { return nil }
        if shape.isEmpty { return 1 }
        guard shape.count == 1 else { return nil }
        return shape[0].intValue
    }

    /// A concrete output type, refusing negative dims, overflowing sizes and anything over the
    /// tensor limit (`ResourceLimits`), so hostile shapes fail here with a clear message instead of later.
    package func checkedType(_ dtype: DType, _ dims: [Int]) throws -> ValueType {
        if let bad = dims.first(where: { $0 < 0 }) {
            throw error(.invalidShape, "output dim \(bad) is negative (shape \(dims))")
        }
        try ResourceLimits.current.checkTensor(dtype, dims, "output", at: checked)
        return ValueType(dtype: dtype, dims: dims)
    }

    /// Like `checkedType`, for shapes that may hold symbolic dims: only the known part is checked.
    package func checkedType(_ dtype: DType, _ shape: [Dim]) throws -> ValueType {
        let known = shape.compactMap(\.intValue)
        _ = try checkedType(dtype, known)
        return ValueType(dtype: dtype, shape: shape)
    }

    /// Normalizes an axis against `rank`, with a clear error when out of range.
    package func axis(_ axis: Int, rank: Int, _ what: String = "axis") throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { throw error(.invalidModel, "\(what) \(axis) is out of range for rank \(rank)") }
        return a
    }

    /// Normalizes a list of axes, refusing out-of-range and repeated axes.
    package func axes(_ axes: [Int], rank: Int, _ what: String = "axes") throws -> [Int] {
        var seen = Set<Int>()
        return try axes.map { raw in
            let a = try axis(raw, rank: rank, what)
            guard seen.insert(a).inserted else { throw error(.invalidModel, "\(what) \(axes) repeat axis \(a)") }
            return a
        }
    }

    /// Throws unless input `i` holds integer indices.
    package func requireIndexType(_ i: Int, _ what: String) throws {
        let t = try type(i)
        guard t.dtype == .int64 || t.dtype == .int32 else {
            throw error(.invalidModel, "\(what) must be int64 or int32, got \(t.dtype)")
        }
    }
}

extension Dim {
    /// Product of dims: known when every factor is known (nil on overflow), else unknown.
    package static func product<C: Collection>(_ dims: C) -> Dim? where C.Element == Dim {
        if dims.count == 1 { return dims.first }  // keeps a lone symbol (Flatten of [N, ...])
        var n = 1
        for d in dims {
            guard let v = d.intValue else { return .unknown }
            let (r, o) = n.multipliedReportingOverflow(by: v)
            if o { return nil }
            n = r
        }
        return .value(n)
    }

    /// Merge of two dims declared equal: a known value wins over a symbol; nil when both are
    /// known and differ.
    package static func unify(_ a: Dim, _ b: Dim) -> Dim? {
        switch (a, b) {
        case (.value(let x), .value(let y)): return x == y ? a : nil
        case (.value, _): return a
        case (_, .value): return b
        case (.symbol, _): return a
        default: return b
        }
    }
}
