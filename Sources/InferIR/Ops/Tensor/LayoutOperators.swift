/// Ops that rearrange elements with a fixed pattern: Transpose, Concat, Split, Expand, Tile,
/// Trilu, DepthToSpace, SpaceToDepth.
package enum LayoutOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Transpose", since: 1) { ctx in
            let data = try ctx.type(0)
            let perm = try ctx.node.intsIfPresent("perm")
            guard let shape = data.shape else {
                return [ValueType(dtype: data.dtype, shape: perm.map { Array(repeating: .unknown, count: $0.count) })]
            }
            let p = try transposePermutation(ctx, rank: shape.count)
            return [ValueType(dtype: data.dtype, shape: p.map { shape[$0] })]
        },
        OperatorSchema("Concat", since: 1) { ctx in
            let n = ctx.inputCount
            guard n >= 1 else { throw ctx.error(.invalidModel, "needs at least one input") }
            let types = try (0..<n).map { try ctx.type($0) }
            let dtype = types[0].dtype
            if let other = types.first(where: { $0.dtype != dtype }) {
                throw ctx.error(.invalidModel, "inputs mix \(dtype) and \(other.dtype)")
            }
            _ = try concatRawAxis(ctx)  // required from opset 4 even while the shapes are unknown
            let shapes = types.compactMap(\.shape)
            guard let first = shapes.first else { return [ValueType(dtype: dtype, shape: nil)] }
            let rank = first.count
            if let bad = shapes.first(where: { $0.count != rank }) {
                throw ctx.error(.invalidShape, "inputs have different ranks (\(rank) and \(bad.count))")
            }
            guard rank > 0 else { throw ctx.error(.invalidShape, "cannot concatenate scalars") }
            let axis = try concatAxis(ctx, rank: rank)
            var out = first
            for s in shapes.dropFirst() {
                for d in 0..<rank where d != axis {
                    guard let u = Dim.unify(out[d], s[d]) else {
                        throw ctx.error(.invalidShape, "inputs disagree on dim \(d) (\(out[d]) vs \(s[d]))")
                    }
                    out[d] = u
                }
            }
            if shapes.count == n, let total = Dim.sum(shapes.map { $0[axis] }) {
                out[axis] = total
            } else {
                out[axis] = .unknown
            }
            return [try ctx.checkedType(dtype, out)]
        },
        OperatorSchema("Split", since: 1) { ctx in
            let data = try ctx.type(0)
            let outputs = ctx.node.outputs.count
            guard let shape = data.shape else { return Array(repeating: ValueType(dtype: data.dtype, shape: nil), count: outputs) }
            let axis = try splitAxis(ctx, rank: shape.count)
            let sizes = try splitSizes(ctx, dim: shape[axis])
            return (0..<outputs).map { k in
                var s = shape
                s[axis] = sizes.map { .value($0[k]) } ?? .unknown
                return ValueType(dtype: data.dtype, shape: s)
            }
        },
        OperatorSchema("Expand", since: 8) { ctx in
            let data = try ctx.type(0)
            guard let target = try ctx.intValues(1, "shape") else {
                guard let n = ctx.staticLength(1), let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
                let unknown = [Dim](repeating: .unknown, count: n)
                return [ValueType(dtype: data.dtype, shape: Broadcasting.shape(shape, unknown))]
            }
            if let bad = target.first(where: { $0 < 0 }) { throw ctx.error(.invalidShape, "shape has negative dim \(bad)") }
            guard let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            guard let out = Broadcasting.shape(shape, target.map { .value($0) }) else {
                throw ctx.error(.invalidShape, "cannot broadcast \(data) to \(target)")
            }
            return [try ctx.checkedType(data.dtype, out)]
        },
        OperatorSchema("Tile", since: 1) { ctx in
            let data = try ctx.type(0)
            guard let shape = data.shape else { return [ValueType(dtype: data.dtype, shape: nil)] }
            let given = ctx.opset < 6 ? try legacyTileRepeats(ctx, rank: shape.count) : try ctx.intValues(1, "repeats")
            guard let repeats = given else {
                return [ValueType(dtype: data.dtype, shape: Array(repeating: .unknown, count: shape.count))]
            }
            guard repeats.count == shape.count else {
                throw ctx.error(.invalidShape, "repeats has \(repeats.count) entries for rank \(shape.count)")
            }
            var out: [Dim] = []
            for (d, r) in zip(shape, repeats) {
                guard r >= 0 else { throw ctx.error(.invalidShape, "repeats \(repeats) has a negative entry") }
                if r == 1 { out.append(d); continue }
                guard let v = d.intValue else { out.append(r == 0 ? .value(0) : .unknown); continue }
                let (p, o) = v.multipliedReportingOverflow(by: r)
                if o { throw ctx.error(.invalidShape, "tiling \(data) by \(repeats) overflows") }
                out.append(.value(p))
            }
            return [try ctx.checkedType(data.dtype, out)]
        },
        OperatorSchema("Trilu", since: 14) { ctx in
            let data = try ctx.type(0)
            if let r = data.rank, r < 2 { throw ctx.error(.invalidShape, "input must have rank >= 2, got \(data)") }
            if ctx.hasInput(1), let k = ctx.value(1), k.count != 1 { throw ctx.error(.invalidShape, "k must be a scalar") }
            return [data]
        },
        OperatorSchema("DepthToSpace", since: 1) { ctx in
            let data = try ctx.type(0)
            let b = try blockSize(ctx)
            if ctx.opset >= 11 { _ = try depthMode(ctx) }
            guard let s = data.shape else { return [ValueType(dtype: data.dtype, shape: [.unknown, .unknown, .unknown, .unknown])] }
            guard s.count == 4 else { throw ctx.error(.invalidShape, "input must be 4-D, got \(data)") }
            var c: Dim = .unknown
            if let v = s[1].intValue {
                guard v % (b * b) == 0 else { throw ctx.error(.invalidShape, "channels \(v) are not divisible by blocksize² \(b * b)") }
                c = .value(v / (b * b))
            }
            return [try ctx.checkedType(data.dtype, [s[0], c, scaled(s[2], b), scaled(s[3], b)])]
        },
        OperatorSchema("SpaceToDepth", since: 1) { ctx in
            let data = try ctx.type(0)
            let b = try blockSize(ctx)
            if ctx.opset >= 28 { _ = try depthMode(ctx) }
            guard let s = data.shape else { return [ValueType(dtype: data.dtype, shape: [.unknown, .unknown, .unknown, .unknown])] }
            guard s.count == 4 else { throw ctx.error(.invalidShape, "input must be 4-D, got \(data)") }
            func divided(_ d: Dim) throws -> Dim {
                guard let v = d.intValue else { return .unknown }
                guard v % b == 0 else { throw ctx.error(.invalidShape, "spatial dim \(v) is not divisible by blocksize \(b)") }
                return .value(v / b)
            }
            return [try ctx.checkedType(data.dtype, [s[0], scaled(s[1], b * b), try divided(s[2]), try divided(s[3])])]
        },
    ]

    /// Tile before opset 6 repeats along one axis: one-value inputs `tiles` (the number of copies)
    /// and `axis`. Returns the repeat count per axis, as Tile-6 takes it; nil while either is unknown.
    static func legacyTileRepeats(_ ctx: ShapeContext, rank: Int) throws -> [Int]? {
        guard let tiles = try ctx.wholeNumberValues(1, "tiles"), let axis = try ctx.wholeNumberValues(2, "axis") else { return nil }
        guard tiles.count == 1, axis.count == 1 else {
            throw ctx.error(.invalidModel, "tiles and axis must be one value each, got \(tiles.count) and \(axis.count)")
        }
        var repeats = [Int](repeating: 1, count: rank)
        repeats[try ctx.axis(axis[0], rank: rank)] = tiles[0]
        return repeats
    }

    /// Transpose's permutation: the `perm` attribute (checked to be a permutation) or reversed dims.
    package static func transposePermutation(_ ctx: ShapeContext, rank: Int) throws -> [Int] {
        guard let perm = try ctx.node.intsIfPresent("perm") else { return Array((0..<rank).reversed()) }
        guard perm.count == rank else { throw ctx.error(.invalidModel, "perm \(perm) does not match rank \(rank)") }
        let p = try ctx.axes(perm, rank: rank, "perm")
        return p
    }

    /// Concat's `axis`, normalized for `rank`: required from opset 4, default 1 before.
    package static func concatAxis(_ ctx: ShapeContext, rank: Int) throws -> Int {
        try ctx.axis(concatRawAxis(ctx), rank: rank)
    }

    private static func concatRawAxis(_ ctx: ShapeContext) throws -> Int {
        ctx.opset < 4 ? try ctx.node.int("axis", default: 1) : try ctx.node.int("axis")
    }

    /// Split's `axis` (default 0), normalized for `rank`.
    package static func splitAxis(_ ctx: ShapeContext, rank: Int) throws -> Int {
        try ctx.axis(ctx.node.int("axis", default: 0), rank: rank)
    }

    /// Concrete split sizes along a dim of size `dim`, or nil when not known yet. Covers the
    /// `split` attribute (< 13) or input (opset 1 and >= 13), `num_outputs` (>= 18, last chunk
    /// smaller), and the default of equal parts, one per output.
    package static func splitSizes(_ ctx: ShapeContext, dim: Dim) throws -> [Int]? {
        let outputs = ctx.node.outputs.count
        var sizes: [Int]?
        if ctx.opset >= 13, ctx.hasInput(1) {
            guard let v = try ctx.intValues(1, "split") else { return nil }
            sizes = v
        } else if ctx.opset == 1, ctx.hasInput(1) {
            guard let v = try ctx.wholeNumberValues(1, "split") else { return nil }
            sizes = v
        } else if ctx.opset < 13 {
            sizes = try ctx.node.intsIfPresent("split")
        }
        if let sizes {
            guard sizes.count == outputs else {
                throw ctx.error(.invalidModel, "split \(sizes) has \(sizes.count) entries for \(outputs) outputs")
            }
            if let bad = sizes.first(where: { $0 < 0 }) { throw ctx.error(.invalidShape, "split size \(bad) is negative") }
            if let v = dim.intValue, sizes.reduce(0, { $0 &+ $1 }) != v {
                throw ctx.error(.invalidShape, "split \(sizes) does not sum to the axis size \(v)")
            }
            return sizes
        }
        guard let v = dim.intValue else { return nil }
        if ctx.opset >= 18, let n = try ctx.node.intsIfPresent("num_outputs")?.first {
            guard n == outputs, n > 0 else { throw ctx.error(.invalidModel, "num_outputs \(n) does not match \(outputs) outputs") }
            let chunk = (v + n - 1) / n
            let last = v - chunk * (n - 1)
            guard last >= 0 else { throw ctx.error(.invalidShape, "axis size \(v) cannot be split into \(n) chunks of \(chunk)") }
            return Array(repeating: chunk, count: n - 1) + [last]
        }
        guard outputs > 0, v % outputs == 0 else {
            throw ctx.error(.invalidShape, "axis size \(v) does not split evenly into \(outputs) outputs")
        }
        return Array(repeating: v / outputs, count: outputs)
    }

    package static func blockSize(_ ctx: ShapeContext) throws -> Int {
        let b = try ctx.node.int("blocksize")
        guard b > 0, b <= 1 << 20 else { throw ctx.error(.invalidModel, "blocksize \(b) must be between 1 and 2^20") }
        return b
    }

    /// true for CRD, false for DCR (the default).
    package static func depthMode(_ ctx: ShapeContext) throws -> Bool {
        switch try ctx.node.string("mode", default: "DCR") {
        case "DCR": return false
        case "CRD": return true
        case let m: throw ctx.error(.invalidModel, "mode \"\(m)\" must be DCR or CRD")
        }
    }

    private static func scaled(_ d: Dim, _ f: Int) -> Dim {
        guard let v = d.intValue else { return .unknown }
        let (p, o) = v.multipliedReportingOverflow(by: f)
        return o ? .unknown : .value(p)
    }
}

extension Dim {
    /// Sum of dims when all are known (nil on overflow), else unknown.
    package static func sum(_ dims: [Dim]) -> Dim? {
        var n = 0
        for d in dims {
            guard let v = d.intValue else { return .unknown }
            let (r, o) = n.addingReportingOverflow(v)
            if o { return nil }
            n = r
        }
        return .value(n)
    }
}
