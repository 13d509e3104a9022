/// Shape inference for the Reduction family (see the runtime's Lowering/ReductionLowering.swift):
/// Reduce*, ArgMax/ArgMin, TopK, CumSum.
package enum ReductionOperators {
    /// Each Reduce* op with the opset from which its `axes` moved from attribute to input.
    package static let reduceOps: [(name: String, axesInputSince: Int)] = [
        ("ReduceSum", 13), ("ReduceMean", 18), ("ReduceMax", 18), ("ReduceMin", 18), ("ReduceProd", 18),
        ("ReduceL1", 18), ("ReduceL2", 18), ("ReduceSumSquare", 18), ("ReduceLogSum", 18), ("ReduceLogSumExp", 18),
    ]

    package static let schemas: [OperatorSchema] =
        reduceOps.map { reduceSchema($0.name, axesInputSince: $0.axesInputSince) }
        + [argSchema("ArgMax"), argSchema("ArgMin"), topK, cumSum]

    /// Element types the reduction kernels implement.
    package static let numericDTypes: Set<DType> = [.float32, .float64, .int32, .int64]

    static func checkDType(_ dtype: DType, _ ctx: ShapeContext, allowed: Set<DType> = numericDTypes) throws {
        guard allowed.contains(dtype) else {
            let names = allowed.map(\.onnxName).sorted().joined(separator: ", ")
            throw ctx.error(.unsupportedDType, "input type \(dtype) is not supported (expected one of \(names))")
        }
    }

    static func reduceSchema(_ name: String, axesInputSince: Int) -> OperatorSchema {
        OperatorSchema(name, since: 1) { ctx in
            let x = try ctx.type(0)
            let floatOnly = name == "ReduceLogSum" || name == "ReduceLogSumExp"
            // ReduceMax/ReduceMin also take int8/uint8 (opset 12) and bool (opset 20); they run widened to int32.
            let extremum = name == "ReduceMax" || name == "ReduceMin"
            try checkDType(x.dtype, ctx, allowed: floatOnly ? [.float32, .float64]
                                                  : numericDTypes.union(extremum ? [.int8, .uint8, .bool] : []))
            let keepDims = try ctx.node.int("keepdims", default: 1) != 0
            guard let shape = x.shape else { return [ValueType(dtype: x.dtype, shape: nil)] }
            guard let axes = try ReductionAxes.resolve(ctx.node, opset: ctx.opset, axesInputSince: axesInputSince,
                                                       rank: shape.count, axesInput: ctx.value(1),
                                                       hasAxesInput: ctx.hasInput(1)) else {
                // Axes not known until run time: with keepdims the rank is still known.
                return [ValueType(dtype: x.dtype, shape: keepDims ? shape.map { _ in .unknown } : nil)]
            }
            return [ValueType(dtype: x.dtype, shape: ReductionAxes.reducedShape(shape, axes: axes, keepDims: keepDims))]
        }
    }

    static func argSchema(_ name: String) -> OperatorSchema {
        OperatorSchema(name, since: 1) { ctx in
            let x = try ctx.type(0)
            try checkDType(x.dtype, ctx)
            let keepDims = try ctx.node.int("keepdims", default: 1) != 0
            guard let shape = x.shape else { return [ValueType(dtype: .int64, shape: nil)] }
            guard !shape.isEmpty else { throw ctx.error(.invalidShape, "input must have rank >= 1") }
            let axis = try argReduceAxis(ctx, rank: shape.count)
            if shape[axis] == .value(0) {
                throw ctx.error(.invalidShape, "cannot take \(name) over the empty axis \(axis)")
            }
            return [ValueType(dtype: .int64, shape: ReductionAxes.reducedShape(shape, axes: [axis], keepDims: keepDims))]
        }
    }

    /// ArgMax's and ArgMin's `axis` (default 0), normalized for `rank`.
    package static func argReduceAxis(_ ctx: ShapeContext, rank: Int) throws -> Int {
        try normalizeAxis(ctx.node.int("axis", default: 0), rank: rank, node: ctx.node)
    }

    /// TopK's `axis` (default -1), normalized for `rank`.
    package static func topKAxis(_ ctx: ShapeContext, rank: Int) throws -> Int {
        try normalizeAxis(ctx.node.int("axis", default: -1), rank: rank, node: ctx.node)
    }

    static let topK = OperatorSchema("TopK", since: 1) { ctx in
        let x = try ctx.type(0)
        guard ctx.node.outputs.count == 2 else { throw ctx.error(.invalidModel, "TopK has two outputs (Values, Indices), got \(ctx.node.outputs.count)") }
        try checkDType(x.dtype, ctx)
        guard let shape = x.shape else {
            return [ValueType(dtype: x.dtype, shape: nil), ValueType(dtype: .int64, shape: nil)]
        }
        guard !shape.isEmpty else { throw ctx.error(.invalidShape, "input must have rank >= 1") }
        let axis = try topKAxis(ctx, rank: shape.count)
        var outShape = shape
        if let k = try topKCount(ctx) {
            if let size = shape[axis].intValue, k > size {
                throw ctx.error(.invalidShape, "k = \(k) is larger than the axis size \(size)")
            }
            outShape[axis] = .value(k)
        } else {
            outShape[axis] = .unknown
        }
        return [ValueType(dtype: x.dtype, shape: outShape), ValueType(dtype: .int64, shape: outShape)]
    }

    /// TopK's k: the `k` attribute before opset 10, the one-element `K` input since; nil when unknown.
    package static func topKCount(_ ctx: ShapeContext) throws -> Int? {
        let k: Int
        if ctx.opset < 10 {
            k = try ctx.node.int("k")
        } else {
            guard ctx.hasInput(1) else { throw ctx.error(.invalidModel, "input K is missing") }
            guard let value = ctx.value(1) else { return nil }
            guard value.count == 1, value.dtype == .int64 || value.dtype == .int32 else {
                throw ctx.error(.invalidModel, "K must be a one-element int64 tensor, got \(value.type)")
            }
            k = value.intValues()[0]
        }
        guard k >= 0 else { throw ctx.error(.invalidModel, "k must be non-negative, got \(k)") }
        return k
    }

    static let cumSum = OperatorSchema("CumSum", since: 11) { ctx in
        let x = try ctx.type(0)
        try checkDType(x.dtype, ctx)
        if let axisValue = ctx.value(1), let rank = x.rank { _ = try cumSumAxis(ctx.node, axisValue, rank: rank) }
        return [x]
    }

    /// CumSum's axis from its scalar (or one-element) int32/int64 input, normalized.
    package static func cumSumAxis(_ node: Node, _ value: Tensor, rank: Int) throws -> Int {
        guard value.count == 1, value.dtype == .int64 || value.dtype == .int32 else {
            throw InferError.at(node, opset: nil, .invalidModel, "axis must be a scalar int32/int64 tensor, got \(value.type)")
        }
        guard rank > 0 else { throw InferError.at(node, opset: nil, .invalidShape, "input must have rank >= 1") }
        return try normalizeAxis(value.intValues()[0], rank: rank, node: node)
    }
}

/// Which axes a Reduce* node reduces, across its versions: `axes` attribute before
/// `axesInputSince`, optional `axes` input (and `noop_with_empty_axes`) from then on.
package enum ReductionAxes {
    /// Sorted, non-negative axes to reduce ([] means the identity), or nil when the axes input
    /// is not known yet (compile time).
    package static func resolve(_ node: Node, opset: Int, axesInputSince: Int, rank: Int,
                                axesInput: Tensor?, hasAxesInput: Bool) throws -> [Int]? {
        var requested: [Int]?
        var noopWhenEmpty = false
        if opset < axesInputSince {
            requested = try node.intsIfPresent("axes")
        } else {
            if node.hasAttribute("axes") {
                throw InferError.at(node, opset: opset, .invalidModel, "'axes' is an input since opset \(axesInputSince), not an attribute")
            }
            noopWhenEmpty = try node.int("noop_with_empty_axes", default: 0) != 0
            if hasAxesInput {
                guard let axesInput else { return nil }
                guard axesInput.dtype == .int64 || axesInput.dtype == .int32, axesInput.rank <= 1 else {
                    throw InferError.at(node, opset: opset, .invalidModel, "axes must be a 1-D int64 tensor, got \(axesInput.type)")
                }
                requested = axesInput.intValues()
            }
        }
        guard let requested, !requested.isEmpty else {
            return noopWhenEmpty ? [] : Array(0..<rank)
        }
        var seen = Set<Int>()
        for axis in requested {
            let a = axis < 0 ? axis + rank : axis
            guard a >= 0, a < rank else {
                throw InferError.at(node, opset: opset, .invalidModel, "axis \(axis) is out of range for rank \(rank)")
            }
            guard seen.insert(a).inserted else {
                throw InferError.at(node, opset: opset, .invalidModel, "axis \(axis) is listed twice")
            }
        }
        return seen.sorted()
    }

    /// The shape after reducing `axes`: those dims become 1 (keepDims) or are dropped.
    package static func reducedShape<D>(_ shape: [D], axes: [Int], keepDims: Bool, one: D) -> [D] {
        let reduced = Set(axes)
        var out: [D] = []
        for (i, d) in shape.enumerated() {
            if !reduced.contains(i) { out.append(d) } else if keepDims { out.append(one) }
        }
        return out
    }

    package static func reducedShape(_ shape: [Dim], axes: [Int], keepDims: Bool) -> [Dim] {
        reducedShape(shape, axes: axes, keepDims: keepDims, one: .value(1))
    }

    package static func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
        reducedShape(shape, axes: axes, keepDims: keepDims, one: 1)
    }
}
