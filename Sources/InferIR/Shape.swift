/// One dimension of a declared shape: a known size, a named symbol (`N`, `batch`) or unknown (`?`).
public enum Dim: Sendable, Hashable, CustomStringConvertible {
    /// A known size.
    case value(Int)
    /// Any size, the same wherever the same symbol appears (`N` in `float[N,3]` and `int64[N]`).
    case symbol(String)
    /// Any size, unrelated to other dims.
    case unknown

    /// The size, when known.
    public var intValue: Int? { if case .value(let v) = self { v } else { nil } }

    /// As ONNX text writes it: `3`, `N` or `?`.
    public var description: String {
        switch self {
        case .value(let v): String(v)
        case .symbol(let s): s
        case .unknown: "?"
        }
    }
}

/// The static type of a graph value: element type plus shape (nil when even the rank is unknown).
public struct ValueType: Sendable, Hashable, CustomStringConvertible {
    /// The element type.
    public var dtype: DType
    /// One `Dim` per axis; nil when even the rank is unknown.
    public var shape: [Dim]?

    /// `ValueType(dtype: .float32, shape: [.symbol("N"), .value(3)])` is `float[N,3]`.
    public init(dtype: DType, shape: [Dim]?) {
        self.dtype = dtype
        self.shape = shape
    }

    /// A fully static type.
    public init(dtype: DType, dims: [Int]) {
        self.init(dtype: dtype, shape: dims.map { .value($0) })
    }

    /// The concrete dims when every dim is known.
    public var staticDims: [Int]? {
        guard let shape else { return nil }
        var dims: [Int] = []
        dims.reserveCapacity(shape.count)
        for d in shape {
            guard case .value(let v) = d else { return nil }
            dims.append(v)
        }
        return dims
    }

    /// The number of axes, when known.
    public var rank: Int? { shape?.count }

    /// As the ONNX text syntax writes it: `float[N,3]`.
    public var description: String {
        // As the ONNX text syntax writes it: `float[]` is unknown rank, `float` a scalar.
        guard let shape else { return "\(dtype.onnxName)[]" }
        if shape.isEmpty { return dtype.onnxName }
        return "\(dtype.onnxName)[\(shape.map(\.description).joined(separator: ","))]"
    }
}

/// Element count of a concrete shape, or nil when it overflows `Int` (absurd declared shapes).
package func elementCount(_ dims: [Int]) -> Int? {
    var n = 1
    for d in dims {
        guard d >= 0 else { return nil }
        let (r, o) = n.multipliedReportingOverflow(by: d)
        if o { return nil }
        n = r
    }
    return n
}
