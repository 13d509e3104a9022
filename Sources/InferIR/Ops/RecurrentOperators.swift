/// Shape inference for the one-layer recurrent networks RNN, GRU and LSTM (opsets 1, 7, 14, 22;
/// see the runtime's Lowering/RecurrentLowering.swift). Versions before 7 (and GRU-3) compute the same:
/// opset 7 only dropped their `output_sequence` attribute (ONNX PR 1006), ignored here.
/// Inputs: X [seq, batch, input] (batch-major [batch, seq, input] when `layout` = 1, opset 14+),
/// W [dirs, gates*hidden, input], R [dirs, gates*hidden, hidden], then optional B,
/// sequence_lens, initial_h (initial_c, P for LSTM).
/// Outputs (all optional): Y [seq, dirs, batch, hidden] (batch-major [batch, seq, dirs, hidden]),
/// Y_h (and LSTM's Y_c) [dirs, batch, hidden] (batch-major [batch, dirs, hidden]).
package enum RecurrentOperators {
    package static let schemas: [OperatorSchema] = [
        schema("RNN", gates: 1, stateOutputs: 1),
        schema("GRU", gates: 3, stateOutputs: 1),
        schema("LSTM", gates: 4, stateOutputs: 2),
    ]

    /// `direction` (default "forward"): the direction count (2 for "bidirectional") and whether
    /// the one direction is "reverse".
    package static func direction(_ ctx: ShapeContext) throws -> (count: Int, reverse: Bool) {
        switch try ctx.node.string("direction", default: "forward") {
        case "forward": return (1, false)
        case "reverse": return (1, true)
        case "bidirectional": return (2, false)
        case let other: throw ctx.error(.invalidModel, "direction \"\(other)\" is not forward, reverse or bidirectional")
        }
    }

    /// `hidden_size`, refused unless positive; nil when absent (R's last dim gives it).
    package static func hiddenSize(_ ctx: ShapeContext) throws -> Int? {
        guard ctx.node.hasAttribute("hidden_size") else { return nil }
        let h = try ctx.node.int("hidden_size")
        guard h > 0 else { throw ctx.error(.invalidModel, "hidden_size must be positive, got \(h)") }
        return h
    }

    /// The `layout` attribute (opset 14+): 0 sequence-major, 1 batch-major.
    package static func layout(_ ctx: ShapeContext) throws -> Int {
        guard ctx.opset >= 14 else { return 0 }
        let layout = try ctx.node.int("layout", default: 0)
        guard layout == 0 || layout == 1 else { throw ctx.error(.invalidModel, "layout must be 0 or 1, got \(layout)") }
        return layout
    }

    static func schema(_ name: String, gates: Int, stateOutputs: Int) -> OperatorSchema {
        OperatorSchema(name, since: 1) { ctx in
            let x = try ctx.type(0)
            try ElementwiseOperators.require(ctx, x.dtype, in: [.float32, .float64], "X")
            for i in [1, 2] where try ctx.type(i).dtype != x.dtype {
                throw ctx.error(.invalidModel, "input \(i) must have X's type \(x.dtype)")
            }
            let dirs = try direction(ctx).count
            let batchMajor = try layout(ctx) == 1
            var hidden: Dim = .unknown
            if let h = try hiddenSize(ctx) {
                hidden = .value(h)
            } else if let r = try ctx.type(2).shape, r.count == 3 {
                hidden = r[2]
            }
            var seq: Dim = .unknown, batch: Dim = .unknown
            if let xs = x.shape {
                guard xs.count == 3 else { throw ctx.error(.invalidShape, "X must have rank 3, got \(x)") }
                seq = batchMajor ? xs[1] : xs[0]
                batch = batchMajor ? xs[0] : xs[1]
            }
            let y: [Dim] = batchMajor ? [batch, seq, .value(dirs), hidden] : [seq, .value(dirs), batch, hidden]
            let state: [Dim] = batchMajor ? [batch, .value(dirs), hidden] : [.value(dirs), batch, hidden]
            var types = [try ctx.checkedType(x.dtype, y)]
            for _ in 0..<stateOutputs { types.append(try ctx.checkedType(x.dtype, state)) }
            return Array(types.prefix(max(ctx.node.outputs.count, 1)))
        }
    }
}
