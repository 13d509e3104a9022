/// Shape inference for Einsum and Det (see the runtime's Lowering/TensorAlgebraLowering.swift).
package enum TensorAlgebraOperators {
    static let numbers: Set<DType> = [.float32, .float64, .int64, .int32]

    /// Einsum's `equation` resolved against the operand shapes.
    package static func einsumPlan(_ ctx: ShapeContext, shapes: [[Int]]) throws -> EinsumPlan {
        try EinsumPlan(ctx.node.string("equation"), shapes: shapes, node: ctx.node)
    }

    package static let schemas: [OperatorSchema] = [
        OperatorSchema("Einsum", since: 12) { ctx in
            let count = ctx.node.inputs.count
            guard count >= 1 else { throw ctx.error(.invalidModel, "needs at least one input") }
            let dtype = try ElementwiseOperators.sameDType(ctx, Array(0..<count), allowed: numbers)
            let shapes = try (0..<count).map { try ctx.type($0).staticDims }
            guard shapes.allSatisfy({ $0 != nil }) else { return [ValueType(dtype: dtype, shape: nil)] }
            let plan = try einsumPlan(ctx, shapes: shapes.map { $0! })
            return [ValueType(dtype: dtype, dims: plan.outputShape)]
        },
        OperatorSchema("Det", since: 11) { ctx in
            let x = try ctx.type(0)
            try ElementwiseOperators.require(ctx, x.dtype, in: ElementwiseOperators.floats, "input")
            guard let shape = x.shape else { return [ValueType(dtype: x.dtype, shape: nil)] }
            guard shape.count >= 2 else { throw ctx.error(.invalidShape, "input must be [*, M, M], got \(x)") }
            if let m = shape[shape.count - 1].intValue, let n = shape[shape.count - 2].intValue, m != n {
                throw ctx.error(.invalidShape, "matrices must be square, got \(x)")
            }
            return [ValueType(dtype: x.dtype, shape: Array(shape.dropLast(2)))]
        },
    ]
}

/// An Einsum equation resolved against concrete operand shapes: every label (letters, and one
/// per ellipsis dim) numbered, with its size and each operand's labels. Without `->` the output
/// is the ellipsis dims, then the letters that appear once, alphabetically (the NumPy rule).
package struct EinsumPlan {
    package var labels: [[Int]]
    package var sizes: [Int]
    package var outputLabels: [Int]
    package var outputShape: [Int] { outputLabels.map { sizes[$0] } }

    package init(_ equation: String, shapes: [[Int]], node: Node) throws {
        func fail(_ message: String) -> InferError { InferError.at(node, opset: nil, .invalidModel, "equation \"\(equation)\": \(message)") }
        let text = equation.filter { !$0.isWhitespace }
        let sides = text.components(separatedBy: "->")
        guard sides.count <= 2 else { throw fail("more than one ->") }
        let terms = sides[0].components(separatedBy: ",")
        guard terms.count == shapes.count else { throw fail("\(terms.count) terms for \(shapes.count) inputs") }
        var ids: [Character: Int] = [:]
        var sizes: [Int] = []
        var ellipsisRank = 0
        // Ellipsis dims get ids first (right-aligned across operands), letters after.
        for (term, shape) in zip(terms, shapes) where term.contains("...") {
            ellipsisRank = max(ellipsisRank, shape.count - term.replacingOccurrences(of: "...", with: "").count)
        }
        sizes = [Int](repeating: 1, count: ellipsisRank)
        func bind(_ id: Int, _ size: Int) throws {
            if sizes[id] == 1 { sizes[id] = size } else if size != 1 && size != sizes[id] {
                throw fail("a label has sizes \(sizes[id]) and \(size)")
            }
        }
        var labels: [[Int]] = []
        var counts: [Character: Int] = [:]
        for (term, shape) in zip(terms, shapes) {
            var dims: [Int] = []
            let parts = term.components(separatedBy: "...")
            guard parts.count <= 2 else { throw fail("more than one ellipsis in a term") }
            let letters = parts.joined().count
            let own = shape.count - letters
            guard own >= 0, parts.count == 2 || own == 0 else { throw fail("term \"\(term)\" does not fit shape \(shape)") }
            func letterIDs(_ part: String) throws {
                for c in part {
                    guard c.isLetter else { throw fail("unexpected character \"\(c)\"") }
                    counts[c, default: 0] += 1
                    if ids[c] == nil { ids[c] = sizes.count; sizes.append(1) }
                    dims.append(ids[c]!)
                }
            }
            try letterIDs(parts[0])
            if parts.count == 2 { dims += ((ellipsisRank - own)..<ellipsisRank).map { $0 } }
            if parts.count == 2 { try letterIDs(parts[1]) }
            for (d, id) in dims.enumerated() { try bind(id, shape[d]) }
            labels.append(dims)
        }
        if sides.count == 2 {
            let parts = sides[1].components(separatedBy: "...")
            guard parts.count <= 2 else { throw fail("more than one ellipsis in the output") }
            var out: [Int] = []
            for c in parts[0] {
                guard let id = ids[c] else { throw fail("output label \"\(c)\" is not an input label") }
                out.append(id)
            }
            if parts.count == 2 {
                out += Array(0..<ellipsisRank)
                for c in parts[1] {
                    guard let id = ids[c] else { throw fail("output label \"\(c)\" is not an input label") }
                    out.append(id)
                }
            }
            guard Set(out).count == out.count else { throw fail("an output label repeats") }
            outputLabels = out
        } else {
            outputLabels = Array(0..<ellipsisRank) + counts.filter { $0.value == 1 }.keys.sorted().map { ids[$0]! }
        }
        self.labels = labels
        self.sizes = sizes
    }
}
