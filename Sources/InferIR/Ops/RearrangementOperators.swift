/// Shape inference for ops that move elements to data- or attribute-given places: Unique
/// (opset 11, 28; its output size depends on the data, resolved from the input value at run
/// time), Col2Im (18), MaxUnpool (9, 11, 22) and TensorScatter (24). Kernels: the runtime's
/// Ops/RearrangementLowering.swift.
package enum RearrangementOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Unique", since: 11) { ctx in
            let x = try ctx.type(0)
            let outputs = max(ctx.node.outputs.count, 1)
            var axis: Int?
            if ctx.node.hasAttribute("axis") {
                guard let rank = x.rank else { return unknownUnique(x.dtype, rank: nil, outputs) }
                axis = try uniqueAxis(ctx, rank: rank)
            }
            guard let value = ctx.value(0) else { return unknownUnique(x.dtype, rank: axis == nil ? 1 : x.rank, outputs, axis: axis, shape: x.shape) }
            let analysis = try UniqueAnalysis(value, axis: axis, sorted: try uniqueSorted(ctx))
            var yShape = axis == nil ? [analysis.count] : value.shape
            if let axis { yShape[axis] = analysis.count }
            let types = [ValueType(dtype: x.dtype, dims: yShape), ValueType(dtype: .int64, dims: [analysis.count]),
                         ValueType(dtype: .int64, dims: [analysis.inverse.count]), ValueType(dtype: .int64, dims: [analysis.count])]
            return Array(types.prefix(outputs))
        },
        OperatorSchema("Col2Im", since: 18) { ctx in
            let x = try ctx.type(0)
            guard let imageShape = try ctx.intValues(1, "image_shape") else {
                return [ValueType(dtype: x.dtype, shape: ctx.staticLength(1).map { [Dim](repeating: .unknown, count: $0 + 2) })]
            }
            guard let shape = x.shape else { return [ValueType(dtype: x.dtype, shape: [.unknown, .unknown] + imageShape.map { .value($0) })] }
            guard shape.count == 3 else { throw ctx.error(.invalidShape, "input must have rank 3 [N, C*prod(block_shape), L], got \(x)") }
            var channels: Dim = .unknown
            if let blocks = try ctx.intValues(2, "block_shape"), let cb = shape[1].intValue {
                guard blocks.count == imageShape.count, blocks.allSatisfy({ $0 > 0 }) else {
                    throw ctx.error(.invalidShape, "block_shape \(blocks) must have one positive entry per image dim \(imageShape)")
                }
                let k = try ctx.checked.product(blocks, "prod(block_shape)")
                guard cb % k == 0 else { throw ctx.error(.invalidShape, "input dim 1 (\(cb)) is not a multiple of prod(block_shape) = \(k)") }
                channels = .value(cb / k)
            }
            return [try ctx.checkedType(x.dtype, [shape[0], channels] + imageShape.map { .value($0) })]
        },
        OperatorSchema("MaxUnpool", since: 9) { ctx in
            let x = try ctx.type(0)
            try ctx.requireIndexType(1, "I")
            if ctx.hasInput(2) {
                guard let out = try ctx.intValues(2, "output_shape") else {
                    return [ValueType(dtype: x.dtype, shape: ctx.staticLength(2).map { [Dim](repeating: .unknown, count: $0) })]
                }
                return [try ctx.checkedType(x.dtype, out)]
            }
            guard let shape = x.shape else { return [ValueType(dtype: x.dtype, shape: nil)] }
            return [try ctx.checkedType(x.dtype, try unpooledShape(ctx, shape))]
        },
        OperatorSchema("TensorScatter", since: 24) { ctx in
            let past = try ctx.type(0), update = try ctx.type(1)
            guard past.dtype == update.dtype else { throw ctx.error(.invalidModel, "update must have past_cache's type \(past.dtype)") }
            if ctx.hasInput(2), try ctx.type(2).dtype != .int64 { throw ctx.error(.invalidModel, "write_indices must be int64") }
            _ = try tensorScatterCircular(ctx)
            if let rank = past.rank {
                guard rank >= 2 else { throw ctx.error(.invalidShape, "past_cache must have rank >= 2, got \(past)") }
                _ = try tensorScatterAxis(ctx, rank: rank)
            }
            return [past]
        },
    ]

    /// Unique's `axis` normalized for `rank`, or nil without one (the input is flattened).
    package static func uniqueAxis(_ ctx: ShapeContext, rank: Int) throws -> Int? {
        guard ctx.node.hasAttribute("axis") else { return nil }
        return try ctx.axis(ctx.node.int("axis"), rank: rank)
    }

    /// Unique's `sorted` (default 1): outputs in ascending order, else by first occurrence.
    package static func uniqueSorted(_ ctx: ShapeContext) throws -> Bool {
        try ctx.node.int("sorted", default: 1) != 0
    }

    /// TensorScatter's `axis` (default -2, the sequence axis), normalized for `rank`; never the batch axis 0.
    package static func tensorScatterAxis(_ ctx: ShapeContext, rank: Int) throws -> Int {
        let axis = try ctx.axis(ctx.node.int("axis", default: -2), rank: rank)
        guard axis > 0 else { throw ctx.error(.invalidModel, "axis must not be the batch axis 0") }
        return axis
    }

    /// TensorScatter's `mode`: true for "circular", false for "linear" (the default).
    package static func tensorScatterCircular(_ ctx: ShapeContext) throws -> Bool {
        let mode = try ctx.node.string("mode", default: "linear")
        guard mode == "linear" || mode == "circular" else { throw ctx.error(.invalidModel, "mode \"\(mode)\" is not linear or circular") }
        return mode == "circular"
    }

    static func unknownUnique(_ dtype: DType, rank: Int?, _ outputs: Int, axis: Int? = nil, shape: [Dim]? = nil) -> [ValueType] {
        var y: [Dim]? = rank.map { [Dim](repeating: .unknown, count: $0) }
        if let axis, var s = shape { s[axis] = .unknown; y = s }
        var inverse: Dim = .unknown
        if axis == nil, let shape { inverse = shape.reduce(Dim.value(1)) { a, d in
            if let x = a.intValue, let y = d.intValue { return .value(x * y) } else { return .unknown } } }
        else if let axis, let shape { inverse = shape[axis] }
        let types = [ValueType(dtype: dtype, shape: y), ValueType(dtype: .int64, shape: [.unknown]),
                     ValueType(dtype: .int64, shape: [inverse]), ValueType(dtype: .int64, shape: [.unknown])]
        return Array(types.prefix(outputs))
    }

    /// MaxUnpool's default output: (in - 1) * stride - pad_begin - pad_end + kernel per spatial dim.
    package static func unpooledShape(_ ctx: ShapeContext, _ shape: [Dim]) throws -> [Dim] {
        let kernel = try ctx.node.ints("kernel_shape")
        let n = kernel.count
        guard shape.count == n + 2 else { throw ctx.error(.invalidShape, "X has rank \(shape.count), expected \(n + 2) for kernel_shape \(kernel)") }
        let strides = try ctx.node.ints("strides", default: [Int](repeating: 1, count: n))
        let pads = try ctx.node.ints("pads", default: [Int](repeating: 0, count: 2 * n))
        guard strides.count == n, pads.count == 2 * n, kernel.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }) else {
            throw ctx.error(.invalidModel, "kernel_shape \(kernel), strides \(strides), pads \(pads) do not fit \(n) spatial dims")
        }
        let c = ctx.checked
        return Array(shape[..<2]) + (try (0..<n).map { i in
            guard let v = shape[i + 2].intValue else { return .unknown }
            let strided = try c.multiply(v - 1, strides[i], "(input size - 1) x stride of spatial dim \(i)")
            return .value(try c.add(try c.subtract(strided, try c.add(pads[i], pads[n + i], "pads"), "the unpooled size"), kernel[i], "the unpooled size"))
        })
    }
}

/// Unique's answer for one input: the first occurrence of each distinct element (or slice along
/// `axis`) in output order (sorted ascending, or by first occurrence), the output slot of every
/// input element/slice, and the counts. Sorting is stable, so `first` is numpy's `return_index`.
package struct UniqueAnalysis {
    package let first: [Int]
    package let inverse: [Int]
    package let counts: [Int]
    package var count: Int { first.count }

    package init(_ x: Tensor, axis: Int?, sorted: Bool) throws {
        // Elements as slices of length 1 when flattened; otherwise slice j = x[outer, j, inner].
        let outer = axis.map { x.shape[..<$0].reduce(1, *) } ?? 1
        let length = axis.map { x.shape[$0] } ?? x.count
        let inner = axis.map { x.shape[($0 + 1)...].reduce(1, *) } ?? 1
        if x.dtype.isFloatingPoint {
            self.init(x.doubleValues(), outer: outer, length: length, inner: inner, sorted: sorted, less: Self.nanLastLess)
        } else {
            self.init(x.intValues(), outer: outer, length: length, inner: inner, sorted: sorted, less: <)
        }
    }

    /// Total order with every NaN equal and after all numbers (numpy's sort order).
    static func nanLastLess(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return a < b
    }

    init<T: Equatable>(_ values: [T], outer: Int, length: Int, inner: Int, sorted: Bool, less: (T, T) -> Bool) {
        func element(_ j: Int, _ k: Int) -> T { values[(k / inner * length + j) * inner + k % inner] }
        let sliceSize = outer * inner
        func compare(_ a: Int, _ b: Int) -> Int {
            for k in 0..<sliceSize {
                let u = element(a, k), v = element(b, k)
                if less(u, v) { return -1 }
                if less(v, u) { return 1 }
            }
            return 0
        }
        // Stable: equal slices keep input order, so each group starts at its first occurrence.
        let order = (0..<length).sorted { a, b in
            let c = compare(a, b)
            return c != 0 ? c < 0 : a < b
        }
        var groupOf = [Int](repeating: 0, count: length)
        var firsts: [Int] = [], counts: [Int] = []
        for (position, j) in order.enumerated() {
            if position == 0 || compare(order[position - 1], j) != 0 {
                firsts.append(j)
                counts.append(0)
            }
            groupOf[j] = firsts.count - 1
            counts[counts.count - 1] += 1
        }
        if sorted {
            first = firsts
            self.counts = counts
            inverse = groupOf
        } else {
            // Groups renumbered by first occurrence.
            let byAppearance = firsts.indices.sorted { firsts[$0] < firsts[$1] }
            var slot = [Int](repeating: 0, count: firsts.count)
            for (newIndex, group) in byAppearance.enumerated() { slot[group] = newIndex }
            first = byAppearance.map { firsts[$0] }
            self.counts = byAppearance.map { counts[$0] }
            inverse = groupOf.map { slot[$0] }
        }
    }
}
