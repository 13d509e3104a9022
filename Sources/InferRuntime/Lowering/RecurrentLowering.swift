import InferIR
import InferKernels

/// Runtime bindings for `RecurrentOperators` (RNN, GRU, LSTM): reads the attributes, checks
/// every input shape against X/W/R, and runs `RecurrentLayer` in float32 or float64.
package enum RecurrentLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("RNN") { ctx in try run(ctx, cell: .rnn) },
        KernelBinding("GRU") { ctx in
            try run(ctx, cell: .gru(linearBeforeReset: try ctx.node.int("linear_before_reset", default: 0) != 0))
        },
        KernelBinding("LSTM") { ctx in
            try run(ctx, cell: .lstm(inputForget: try ctx.node.int("input_forget", default: 0) != 0))
        },
    ]

    static let defaultActivations: [RecurrentActivation.Kind] = [.sigmoid, .tanh, .tanh]

    /// The activation list, one set per direction, with alpha/beta consumed in order by the
    /// functions that take them (ONNX Runtime's reading of the attributes).
    static func activations(_ ctx: KernelContext, cell: RecurrentCell, directions: Int) throws -> [RecurrentActivation] {
        let perDirection = cell.activationsPerDirection
        let defaults: [RecurrentActivation.Kind] = cell == .rnn ? [.tanh] : Array(defaultActivations.prefix(perDirection))
        var kinds: [RecurrentActivation.Kind]
        if let names = try? ctx.node.strings("activations"), !names.isEmpty {
            kinds = try names.map { name in
                guard let kind = RecurrentActivation.kind(named: name) else {
                    throw ctx.error(.invalidModel, "activation \"\(name)\" is not supported")
                }
                return kind
            }
        } else {
            kinds = defaults
        }
        if kinds.count == perDirection && directions == 2 { kinds += kinds }
        guard kinds.count == perDirection * directions else {
            throw ctx.error(.invalidModel, "activations has \(kinds.count) entries, expected \(perDirection * directions)")
        }
        let alphas = try ctx.node.floats("activation_alpha", default: [])
        let betas = try ctx.node.floats("activation_beta", default: [])
        var nextAlpha = 0, nextBeta = 0
        return kinds.map { kind in
            var alpha: Double?, beta: Double?
            if kind.usesAlpha, nextAlpha < alphas.count { alpha = Double(alphas[nextAlpha]); nextAlpha += 1 }
            if kind.usesBeta, nextBeta < betas.count { beta = Double(betas[nextBeta]); nextBeta += 1 }
            return RecurrentActivation(kind, alpha: alpha, beta: beta)
        }
    }

    static func run(_ ctx: KernelContext, cell: RecurrentCell) throws {
        let shapeContext = ctx.shapeContext
        let x = try ctx.input(0), w = try ctx.input(1), r = try ctx.input(2)
        let (directions, reverse) = try RecurrentOperators.direction(shapeContext)
        let batchMajor = try RecurrentOperators.layout(shapeContext) == 1
        guard x.rank == 3, w.rank == 3, r.rank == 3 else {
            throw ctx.error(.invalidShape, "X, W and R must have rank 3, got \(x.shape), \(w.shape), \(r.shape)")
        }
        let G = cell.gates
        let hidden = try RecurrentOperators.hiddenSize(shapeContext) ?? r.shape[2]
        let geometry = RecurrentGeometry(sequence: batchMajor ? x.shape[1] : x.shape[0], batch: batchMajor ? x.shape[0] : x.shape[1],
                                         input: x.shape[2], hidden: hidden, directions: directions, batchMajor: batchMajor)
        let H = hidden, B = geometry.batch
        guard w.shape == [directions, G * H, geometry.input], r.shape == [directions, G * H, H] else {
            throw ctx.error(.invalidShape, "W \(w.shape) and R \(r.shape) must be [\(directions), \(G * H), \(geometry.input)] and [\(directions), \(G * H), \(H)]")
        }
        func optional(_ i: Int, _ name: String, _ shape: [Int]) throws -> Tensor? {
            guard let t = ctx.optionalInput(i) else { return nil }
            guard t.shape == shape else { throw ctx.error(.invalidShape, "\(name) has shape \(t.shape), expected \(shape)") }
            guard t.dtype == x.dtype else { throw ctx.error(.invalidModel, "\(name) must have X's type \(x.dtype)") }
            return t
        }
        let stateShape = batchMajor ? [B, directions, H] : [directions, B, H]
        let bias = try optional(3, "B", [directions, 2 * G * H])
        let initialH = try optional(5, "initial_h", stateShape)
        var initialC: Tensor?, peephole: Tensor?
        if case .lstm = cell {
            initialC = try optional(6, "initial_c", stateShape)
            peephole = try optional(7, "P", [directions, 3 * H])
        }
        var lengths: [Int]?
        if let s = ctx.optionalInput(4) {
            guard s.dtype == .int32 || s.dtype == .int64, s.shape == [B] else {
                throw ctx.error(.invalidShape, "sequence_lens must be int32[\(B)], got \(s.dtype)\(s.shape)")
            }
            let values = s.intValues()
            if let bad = values.first(where: { $0 < 0 || $0 > geometry.sequence }) {
                throw ctx.error(.invalidShape, "sequence length \(bad) is outside 0...\(geometry.sequence)")
            }
            lengths = values
        }
        let activations = try activations(ctx, cell: cell, directions: directions)
        let clip: Double? = ctx.node.hasAttribute("clip") ? Double(try ctx.node.float("clip")) : nil
        if let clip, !(clip > 0) { throw ctx.error(.invalidModel, "clip must be positive, got \(clip)") }
        func output(_ k: Int) -> Tensor? {
            k < ctx.outputs.count && k < ctx.node.outputs.count && !ctx.node.outputs[k].isEmpty ? ctx.outputs[k] : nil
        }
        func compute<T: RecurrentFloat & TensorScalar>(_: T.Type) {
            RecurrentLayer.run(cell: cell, geometry: geometry, reverse: reverse,
                               x: x.pointer(as: T.self), w: w.pointer(as: T.self), r: r.pointer(as: T.self),
                               bias: bias.map { UnsafePointer($0.pointer(as: T.self)) },
                               peephole: peephole.map { UnsafePointer($0.pointer(as: T.self)) },
                               sequenceLengths: lengths,
                               initialH: initialH.map { UnsafePointer($0.pointer(as: T.self)) },
                               initialC: initialC.map { UnsafePointer($0.pointer(as: T.self)) },
                               activations: activations, clip: clip.map { T($0) },
                               y: output(0)?.pointer(as: T.self), yH: output(1)?.pointer(as: T.self),
                               yC: output(2)?.pointer(as: T.self), threads: ctx.threads)
        }
        switch x.dtype {
        case .float32: compute(Float.self)
        case .float64: compute(Double.self)
        default: throw ctx.error(.unsupportedDType, "\(ctx.node.opType) supports float32 and float64, got \(x.dtype)")
        }
    }
}
