/// Size arithmetic on dims, element counts and byte counts that throws instead of trapping.
///
/// Attribute values and declared dims come from the model file, so any `*`, `+` or `-` on them
/// can overflow `Int` (a Swift overflow is a crash). Every place that computes a size from them
/// goes through these helpers, which throw an `InferError` naming where the size came from:
///
/// ```swift
/// let dims = ctx.checked                       // errors name the node, op and opset
/// let channels = try dims.multiply(wc, group, "W's channels per group x group")
/// ```
/// → `node "conv" (Conv, opset 17): W's channels per group x group overflows (2 * 4611686018427387904)`
package struct CheckedDims: Sendable {
    /// Makes an error at the place sizes come from (a node, a file, a plan field).
    private let make: @Sendable (InferError.Kind, String) -> InferError
    private let kind: InferError.Kind

    package init(kind: InferError.Kind = .invalidShape, make: @escaping @Sendable (InferError.Kind, String) -> InferError) {
        self.kind = kind
        self.make = make
    }

    /// Errors about `node`: `node "name" (Op, opset N): ...`, with the node's fields set.
    package init(node: Node, opset: Int?, kind: InferError.Kind = .invalidShape) {
        self.init(kind: kind) { InferError.at(node, opset: opset, $0, $1) }
    }

    /// Errors that start with `label` (e.g. `initializer "w"`).
    package init(label: String, kind: InferError.Kind = .invalidShape) {
        self.init(kind: kind) { InferError($0, label.isEmpty ? $1 : "\(label): \($1)") }
    }

    package func error(_ message: String) -> InferError { make(kind, message) }

    /// An error of another kind at the same place.
    package func error(_ kind: InferError.Kind, _ message: String) -> InferError { make(kind, message) }

    /// No location: the message stands alone.
    package static let unlocated = CheckedDims(label: "")

    package func multiply(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(InferError) -> Int {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw error("\(what()) overflows (\(a) * \(b))") }
        return r
    }

    package func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(InferError) -> Int {
        let (r, overflow) = a.addingReportingOverflow(b)
        if overflow { throw error("\(what()) overflows (\(a) + \(b))") }
        return r
    }

    package func subtract(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(InferError) -> Int {
        let (r, overflow) = a.subtractingReportingOverflow(b)
        if overflow { throw error("\(what()) overflows (\(a) - \(b))") }
        return r
    }

    /// `-a` (`Int.min` has no negation).
    package func negate(_ a: Int, _ what: @autoclosure () -> String) throws(InferError) -> Int {
        guard a != .min else { throw error("\(what()) overflows (-(\(a)))") }
        return -a
    }

    /// Product of `values` (1 for none).
    package func product<C: Collection<Int>>(_ values: C, _ what: @autoclosure () -> String) throws(InferError) -> Int {
        var n = 1
        for v in values {
            let (r, overflow) = n.multipliedReportingOverflow(by: v)
            if overflow { throw error("\(what()) overflows (product of \(Array(values)))") }
            n = r
        }
        return n
    }

    /// Sum of `values` (0 for none).
    package func sum<C: Collection<Int>>(_ values: C, _ what: @autoclosure () -> String) throws(InferError) -> Int {
        var n = 0
        for v in values {
            let (r, overflow) = n.addingReportingOverflow(v)
            if overflow { throw error("\(what()) overflows (sum of \(Array(values)))") }
            n = r
        }
        return n
    }

    /// Element count of a concrete shape: refuses negative dims and overflow.
    package func elementCount(_ dims: [Int], _ what: @autoclosure () -> String) throws(InferError) -> Int {
        if let bad = dims.first(where: { $0 < 0 }) { throw error("\(what()) has a negative dim \(bad) (\(dims))") }
        return try product(dims, what())
    }

    /// Bytes of a tensor of `dtype` and `dims`: refuses negative dims and overflow.
    package func byteCount(_ dtype: DType, _ dims: [Int], _ what: @autoclosure () -> String) throws(InferError) -> Int {
        try multiply(try elementCount(dims, what()), dtype.byteSize, "\(what()) in bytes")
    }

    /// A finite Double as an Int, refusing NaN, infinities and values outside `Int`'s range
    /// (`Int(x)` traps on all three).
    package func integer(_ x: Double, _ what: @autoclosure () -> String) throws(InferError) -> Int {
        // 2^63 is exactly representable; every Double below it (and >= -2^63) converts.
        guard x.isFinite, x >= -9_223_372_036_854_775_808.0, x < 9_223_372_036_854_775_808.0 else {
            throw error("\(what()) \(x) is not a finite value that fits a 64-bit integer")
        }
        return Int(x)
    }
}

extension ShapeContext {
    /// Checked size arithmetic whose errors name this node.
    package var checked: CheckedDims { CheckedDims(node: node, opset: opset) }
}
