/// Shape inference for ops that pick or rearrange elements without arithmetic (see the runtime's
/// Ops/SelectionLowering.swift): Compress, ReverseSequence, CenterCropPad, and the deprecated
/// Scatter (opsets 9-10, ScatterElements under its old name).
package enum SelectionOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Compress", since: 9) { ctx in
            let x = try ctx.type(0), condition = try ctx.type(1)
            guard condition.dtype == .bool else { throw ctx.error(.invalidModel, "condition must be bool, got \(condition.dtype)") }
            if let rank = condition.rank, rank != 1 { throw ctx.error(.invalidShape, "condition must be 1-D, got \(condition)") }
            guard let shape = x.shape else { return [ValueType(dtype: x.dtype, shape: nil)] }
            let selected: Dim = ctx.value(1).map { .value(compressSelection($0, limit: Int.max).count) } ?? .unknown
            guard let axis = try compressAxis(ctx, rank: shape.count) else { return [ValueType(dtype: x.dtype, shape: [selected])] }
            var out = shape
            out[axis] = selected
            if let c = ctx.value(1), let dim = shape[axis].intValue {
                out[axis] = .value(compressSelection(c, limit: dim).count)
            }
            return [ValueType(dtype: x.dtype, shape: out)]
        },
        OperatorSchema("ReverseSequence", since: 10) { ctx in
            let x = try ctx.type(0)
            try ElementwiseOperators.require(ctx, try ctx.type(1).dtype, in: [.int64, .int32], "sequence_lens")
            if let rank = x.rank {
                guard rank >= 2 else { throw ctx.error(.invalidShape, "input must have rank >= 2, got \(x)") }
                _ = try reverseSequenceAxes(ctx, rank: rank)
            }
            return [x]
        },
        OperatorSchema("CenterCropPad", since: 18) { ctx in
            let x = try ctx.type(0)
            guard let rank = x.rank else { return [ValueType(dtype: x.dtype, shape: nil)] }
            guard let target = ctx.value(1) else { return [ValueType(dtype: x.dtype, shape: [Dim](repeating: .unknown, count: rank))] }
            var shape = x.shape ?? []
            for (axis, size) in zip(try centerCropPadAxes(ctx.node, rank: rank), target.intValues()) {
                guard size >= 0 else { throw ctx.error(.invalidShape, "shape \(target.intValues()) must not be negative") }
                shape[axis] = .value(size)
            }
            guard target.count == (try centerCropPadAxes(ctx.node, rank: rank)).count else {
                throw ctx.error(.invalidShape, "shape has \(target.count) values for \(try centerCropPadAxes(ctx.node, rank: rank).count) axes")
            }
            return [ValueType(dtype: x.dtype, shape: shape)]
        },
        OperatorSchema("Scatter", since: 9) { ctx in
            let data = try ctx.type(0), updates = try ctx.type(2)
            try ElementwiseOperators.require(ctx, try ctx.type(1).dtype, in: [.int64, .int32], "indices")
            guard updates.dtype == data.dtype else { throw ctx.error(.invalidModel, "updates \(updates.dtype) differ from data \(data.dtype)") }
            if let r = data.rank { _ = try IndexingOperators.dataAxis(ctx, rank: r) }  // lowered as ScatterElements
            return [data]
        },
    ]

    /// Compress's `axis` normalized for `rank`, or nil without one (the input is flattened).
    package static func compressAxis(_ ctx: ShapeContext, rank: Int) throws -> Int? {
        guard ctx.node.hasAttribute("axis") else { return nil }
        return try normalizeAxis(ctx.node.int("axis"), rank: rank, node: ctx.node)
    }

    /// ReverseSequence's `batch_axis` (default 1) and `time_axis` (default 0), normalized for `rank`; they must differ.
    package static func reverseSequenceAxes(_ ctx: ShapeContext, rank: Int) throws -> (batch: Int, time: Int) {
        let batch = try normalizeAxis(ctx.node.int("batch_axis", default: 1), rank: rank, node: ctx.node)
        let time = try normalizeAxis(ctx.node.int("time_axis", default: 0), rank: rank, node: ctx.node)
        guard batch != time else { throw ctx.error(.invalidModel, "batch_axis and time_axis must differ") }
        return (batch, time)
    }

    /// Indices of the true entries of Compress's condition, among the first `limit`.
    package static func compressSelection(_ condition: Tensor, limit: Int) -> [Int] {
        let flags = condition.intValues()
        return flags.indices.filter { $0 < limit && flags[$0] != 0 }
    }

    /// CenterCropPad's axes, normalized (all axes by default).
    package static func centerCropPadAxes(_ node: Node, rank: Int) throws -> [Int] {
        guard let axes = try node.intsIfPresent("axes") else { return Array(0..<rank) }
        return try axes.map { try normalizeAxis($0, rank: rank, node: node) }
    }
}
