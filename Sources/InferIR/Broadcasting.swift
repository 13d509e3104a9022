/// NumPy-style (multidirectional) broadcasting of shapes, as ONNX defines it: align on the
/// right, each pair of dims must be equal or one of them 1.
package enum Broadcasting {
    /// Broadcast result of concrete shapes, or nil when they are incompatible.
    package static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Broadcast result of several concrete shapes.
    package static func shape(_ shapes: [[Int]]) -> [Int]? {
        var result: [Int] = []
        for s in shapes { guard let r = shape(result, s) else { return nil }; result = r }
        return result
    }

    /// Broadcast result of declared (possibly symbolic) shapes; nil when provably incompatible.
    /// `N` with 1 gives `N`; `N` with `M` gives unknown (one of them must be 1 at run time).
    package static func shape(_ a: [Dim], _ b: [Dim]) -> [Dim]? {
        let rank = max(a.count, b.count)
        var out = [Dim](repeating: .value(1), count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? Dim.value(1) : a[i - (rank - a.count)]
            let db = i < rank - b.count ? Dim.value(1) : b[i - (rank - b.count)]
            switch (da, db) {
            case let (x, y) where x == y: out[i] = x
            case (_, .value(1)): out[i] = da
            case (.value(1), _): out[i] = db
            case (.value, .value): return nil
            case (.value(let v), _), (_, .value(let v)): out[i] = .value(v)  // the other must equal it
            default: out[i] = .unknown
            }
        }
        return out
    }

    /// Element strides that read a row-major tensor of `shape` as if it had `outShape`
    /// (0 on broadcast dims). `shape` must broadcast to `outShape`.
    package static func strides(of shape: [Int], broadcastTo outShape: [Int]) -> [Int] {
        let offset = outShape.count - shape.count
        var strides = [Int](repeating: 0, count: outShape.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 && outShape[i + offset] != 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// Row-major strides of a contiguous tensor.
    package static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = step
            step *= shape[i]
        }
        return strides
    }
}
