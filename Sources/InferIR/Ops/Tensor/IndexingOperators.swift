/// Ops driven by index tensors: Gather, GatherElements, GatherND, ScatterElements, ScatterND,
/// OneHot, and NonZero (whose output size depends on the data).
package enum IndexingOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Gather", since: 1) { ctx in
            let data = try ctx.type(0)
            try ctx.requireIndexType(1, "indices")
            let indices = try ctx.type(1)
            guard let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            guard !shape.isEmpty else { throw ctx.error(.invalidShape, "data must have rank >= 1") }
            let axis = try dataAxis(ctx, rank: shape.count)
            guard let ishape = indices.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            return [try ctx.checkedType(data.dtype, Array(shape[..<axis]) + ishape + Array(shape[(axis + 1)...]))]
        },
        OperatorSchema("GatherElements", since: 11) { ctx in
            let data = try ctx.type(0)
            try ctx.requireIndexType(1, "indices")
            let indices = try ctx.type(1)
            if let r = data.rank, let q = indices.rank {
                guard r == q, r > 0 else { throw ctx.error(.invalidShape, "data \(data) and indices \(indices) must have the same rank >= 1") }
                _ = try dataAxis(ctx, rank: r)
            }
            return [ValueType(dtype: data.dtype, shape: indices.shape)]
        },
        OperatorSchema("GatherND", since: 11) { ctx in
            let data = try ctx.type(0)
            try ctx.requireIndexType(1, "indices")
            let indices = try ctx.type(1)
            let b = try gatherNDBatchDims(ctx)
            guard let dshape = data.shape, let ishape = indices.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            guard ishape.count >= 1, b >= 0, b < min(dshape.count, ishape.count) else {
                throw ctx.error(.invalidShape, "batch_dims \(b) does not fit data \(data) and indices \(indices)")
            }
            guard let k = ishape.last!.intValue else { return [ValueType(dtype: data.dtype, shape: nil)] }
            guard k >= 1, b + k <= dshape.count else {
                throw ctx.error(.invalidShape, "index tuples of length \(k) do not fit data \(data) with batch_dims \(b)")
            }
            return [try ctx.checkedType(data.dtype, Array(ishape.dropLast()) + Array(dshape[(b + k)...]))]
        },
        OperatorSchema("ScatterElements", since: 11) { ctx in
            let data = try ctx.type(0)
            try ctx.requireIndexType(1, "indices")
            _ = try scatterReduction(ctx)
            if let r = data.rank { _ = try dataAxis(ctx, rank: r) }
            let updates = try ctx.type(2)
            guard updates.dtype == data.dtype else { throw ctx.error(.invalidModel, "updates \(updates.dtype) differ from data \(data.dtype)") }
            return [data]
        },
        OperatorSchema("ScatterND", since: 11) { ctx in
            let data = try ctx.type(0)
            try ctx.requireIndexType(1, "indices")
            _ = try scatterReduction(ctx)
            let updates = try ctx.type(2)
            guard updates.dtype == data.dtype else { throw ctx.error(.invalidModel, "updates \(updates.dtype) differ from data \(data.dtype)") }
            return [data]
        },
        OperatorSchema("OneHot", since: 9) { ctx in
            let indices = try ctx.type(0)
            let values = try ctx.type(2)
            guard let ishape = indices.shape else { return [ValueType(dtype: values.dtype, shape: nil)] }
            let axis = try oneHotAxis(ctx, outputRank: ishape.count + 1)
            var depth: Dim = .unknown
            if let d = try oneHotDepth(ctx) { depth = .value(d) }
            var out = ishape
            out.insert(depth, at: axis)
            return [try ctx.checkedType(values.dtype, out)]
        },
        OperatorSchema("NonZero", since: 9) { ctx in
            let data = try ctx.type(0)
            guard let rank = data.rank else { return [ValueType(dtype: .int64, shape: [.unknown, .unknown])] }
            // Data-dependent: the count is only known once the input value is.
            guard let x = ctx.value(0) else { return [ValueType(dtype: .int64, shape: [.value(max(rank, 1)), .unknown])] }
            let nnz = x.doubleValues().reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            return [ValueType(dtype: .int64, dims: [max(rank, 1), nnz])]
        },
    ]

    /// Gather's, GatherElements' and ScatterElements' `axis` (default 0), normalized for the data's `rank`.
    package static func dataAxis(_ ctx: ShapeContext, rank: Int) throws -> Int {
        try ctx.axis(ctx.node.int("axis", default: 0), rank: rank)
    }

    /// GatherND's `batch_dims` (opset 12 on; 0 before). Its fit to the shapes is checked by the caller.
    package static func gatherNDBatchDims(_ ctx: ShapeContext) throws -> Int {
        ctx.opset >= 12 ? try ctx.node.int("batch_dims", default: 0) : 0
    }

    /// OneHot's `axis` (default -1, where the one-hot dim goes), normalized for the output's rank.
    package static func oneHotAxis(_ ctx: ShapeContext, outputRank: Int) throws -> Int {
        try ctx.axis(ctx.node.int("axis", default: -1), rank: outputRank)
    }

    /// `reduction` attribute: none always, add/mul from opset 16, max/min from 18.
    package static func scatterReduction(_ ctx: ShapeContext) throws -> String {
        guard ctx.opset >= 16 else { return "none" }
        let r = try ctx.node.string("reduction", default: "none")
        let allowed = ctx.opset >= 18 ? ["none", "add", "mul", "max", "min"] : ["none", "add", "mul"]
        guard allowed.contains(r) else { throw ctx.error(.invalidModel, "reduction \"\(r)\" is not one of \(allowed.joined(separator: ", "))") }
        return r
    }

    /// OneHot's depth when known: a positive scalar (or 1-element tensor) of any numeric type.
    package static func oneHotDepth(_ ctx: ShapeContext) throws -> Int? {
        guard let t = ctx.value(1) else { return nil }
        guard t.count == 1 else { throw ctx.error(.invalidShape, "depth must hold one value, got \(t.shape)") }
        let d = t.intValues()[0]
        guard d > 0 else { throw ctx.error(.invalidModel, "depth \(d) must be positive") }
        return d
    }
}
