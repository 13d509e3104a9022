/// One dimension of a declared shape: a known size, a named symbol (`N`, `batch`) or unknown (`?`).
public enum Dim: Sendable, Hashable, CustomStringConvertible {
    case value(Int)
    case symbol(String)
    case unknown

    public var intValue: Int? { if case .value(let v) = self { v } else { nil } }

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
    public var dtype: DType
    public var shape: [Dim]?

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

    public var rank: Int? { shape?.count }

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
