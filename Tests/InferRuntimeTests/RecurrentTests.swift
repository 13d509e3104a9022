import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// RNN / GRU / LSTM against a naive reference written from the ONNX equations (Double, one
// batch entry and one timestep at a time), over directions, layouts, sequence lengths,
// initial states, peepholes, clip and GRU's linear_before_reset.

fileprivate func runRecurrent(_ op: String, opset: Int = 22, _ inputs: [Tensor?], outputs: Int,
                              _ attributes: [String: Attribute]) throws -> [Tensor] {
    let names = inputs.indices.map { inputs[$0] == nil ? "" : "in\($0)" }
    let node = Node(name: "n", opType: op, inputs: names, outputs: (0..<outputs).map { "out\($0)" }, attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs))
    return outs
}

fileprivate func randomValues(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 40) / Double(1 << 24) - 0.5) * scale
    }
}

fileprivate func close(_ a: [Double], _ b: [Double], rtol: Double = 1e-4, atol: Double = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in abs(x - y) <= atol + rtol * abs(y) }
}

fileprivate func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// One configuration; arrays are flat row-major in the ONNX layouts (sequence-major X/Y).
fileprivate struct Config {
    var op: String, S: Int, B: Int, I: Int, H: Int, dirs: Int, direction: String
    var lengths: [Int]?, clip: Double?, linearBeforeReset = false, peephole = false, initial = false
    var gates: Int { op == "RNN" ? 1 : op == "GRU" ? 3 : 4 }
}

/// Returns (Y [S, dirs, B, H], Y_h [dirs, B, H], Y_c [dirs, B, H]).
fileprivate func reference(_ c: Config, x: [Double], w: [Double], r: [Double], bias: [Double], p: [Double],
                           h0: [Double], c0: [Double]) -> ([Double], [Double], [Double]) {
    let S = c.S, B = c.B, I = c.I, H = c.H, G = c.gates
    var y = [Double](repeating: 0, count: S * c.dirs * B * H)
    var yh = [Double](repeating: 0, count: c.dirs * B * H), yc = yh
    func clip(_ v: Double) -> Double { c.clip.map { min(max(v, -$0), $0) } ?? v }
    for d in 0..<c.dirs {
        let backward = c.dirs == 2 ? d == 1 : c.direction == "reverse"
        for b in 0..<B {
            let len = c.lengths?[b] ?? S
            var h = (0..<H).map { h0.isEmpty ? 0 : h0[(d * B + b) * H + $0] }
            var cs = (0..<H).map { c0.isEmpty ? 0 : c0[(d * B + b) * H + $0] }
            for step in 0..<len {
                let t = backward ? len - 1 - step : step
                // xw[g*H + j] and hr[g*H + j] without biases.
                func xw(_ row: Int) -> Double { (0..<I).reduce(0) { $0 + x[(t * B + b) * I + $1] * w[(d * G * H + row) * I + $1] } }
                func rr(_ row: Int, _ v: [Double]) -> Double { (0..<H).reduce(0) { $0 + v[$1] * r[(d * G * H + row) * H + $1] } }
                func wb(_ row: Int) -> Double { bias.isEmpty ? 0 : bias[d * 2 * G * H + row] }
                func rb(_ row: Int) -> Double { bias.isEmpty ? 0 : bias[d * 2 * G * H + G * H + row] }
                var next = h
                switch c.op {
                case "RNN":
                    for j in 0..<H { next[j] = tanh(clip(xw(j) + rr(j, h) + wb(j) + rb(j))) }
                case "GRU":
                    let z = (0..<H).map { j in sigmoid(clip(xw(j) + rr(j, h) + wb(j) + rb(j))) }
                    let rg = (0..<H).map { j in sigmoid(clip(xw(H + j) + rr(H + j, h) + wb(H + j) + rb(H + j))) }
                    let rh = (0..<H).map { rg[$0] * h[$0] }
                    for j in 0..<H {
                        let pre = c.linearBeforeReset
                            ? xw(2 * H + j) + rg[j] * (rr(2 * H + j, h) + rb(2 * H + j)) + wb(2 * H + j)
                            : xw(2 * H + j) + rr(2 * H + j, rh) + wb(2 * H + j) + rb(2 * H + j)
                        next[j] = (1 - z[j]) * tanh(clip(pre)) + z[j] * h[j]
                    }
                default: // LSTM, gates i o f c
                    func pp(_ k: Int, _ j: Int) -> Double { p.isEmpty ? 0 : p[d * 3 * H + k * H + j] }
                    var newC = cs
                    for j in 0..<H {
                        func pre(_ g: Int) -> Double { xw(g * H + j) + rr(g * H + j, h) + wb(g * H + j) + rb(g * H + j) }
                        let i = sigmoid(clip(pre(0) + pp(0, j) * cs[j]))
                        let f = sigmoid(clip(pre(2) + pp(2, j) * cs[j]))
                        let cc = tanh(clip(pre(3)))
                        newC[j] = f * cs[j] + i * cc
                        let o = sigmoid(clip(pre(1) + pp(1, j) * newC[j]))
                        next[j] = o * tanh(newC[j])
                    }
                    cs = newC
                }
                h = next
                for j in 0..<H { y[((t * c.dirs + d) * B + b) * H + j] = h[j] }
            }
            for j in 0..<H { yh[(d * B + b) * H + j] = h[j]; yc[(d * B + b) * H + j] = cs[j] }
        }
    }
    return (y, yh, yc)
}

/// [A, B, rest] -> [B, A, rest].
fileprivate func swap01(_ v: [Double], _ a: Int, _ b: Int, _ rest: Int) -> [Double] {
    var out = v
    for i in 0..<a { for j in 0..<b { for k in 0..<rest { out[(j * a + i) * rest + k] = v[(i * b + j) * rest + k] } } }
    return out
}

fileprivate func check(_ c: Config, batchMajor: Bool = false, double: Bool = false, seed: UInt64 = 1) throws {
    let G = c.gates, S = c.S, B = c.B, I = c.I, H = c.H, D = c.dirs
    let x = randomValues(S * B * I, seed: seed, scale: 2), w = randomValues(D * G * H * I, seed: seed + 1)
    let r = randomValues(D * G * H * H, seed: seed + 2), bias = randomValues(D * 2 * G * H, seed: seed + 3)
    let p = c.peephole ? randomValues(D * 3 * H, seed: seed + 4) : []
    let h0 = c.initial ? randomValues(D * B * H, seed: seed + 5) : [], c0 = c.initial && c.op == "LSTM" ? randomValues(D * B * H, seed: seed + 6) : []
    let (ey, eh, ec) = reference(c, x: x, w: w, r: r, bias: bias, p: p, h0: h0, c0: c0)
    func tensor(_ v: [Double], _ shape: [Int]) -> Tensor {
        double ? Tensor(shape: shape, exactly: v) : Tensor(shape: shape, exactly: v.map { Float($0) })
    }
    let xs = batchMajor ? tensor(swap01(x, S, B, I), [B, S, I]) : tensor(x, [S, B, I])
    func state(_ v: [Double]) -> Tensor? {
        v.isEmpty ? nil : (batchMajor ? tensor(swap01(v, D, B, H), [B, D, H]) : tensor(v, [D, B, H]))
    }
    var inputs: [Tensor?] = [xs, tensor(w, [D, G * H, I]), tensor(r, [D, G * H, H]), tensor(bias, [D, 2 * G * H]),
                             c.lengths.map { Tensor(shape: [B], exactly: $0.map { Int32($0) }) }, state(h0)]
    if c.op == "LSTM" { inputs += [state(c0), c.peephole ? tensor(p, [D, 3 * H]) : nil] }
    var attributes: [String: Attribute] = ["hidden_size": .int(H), "direction": .string(c.direction)]
    if let clip = c.clip { attributes["clip"] = .float(Float(clip)) }
    if c.linearBeforeReset { attributes["linear_before_reset"] = .int(1) }
    if batchMajor { attributes["layout"] = .int(1) }
    let outs = try runRecurrent(c.op, inputs, outputs: c.op == "LSTM" ? 3 : 2, attributes)
    var y = outs[0].doubleValues(), yh = outs[1].doubleValues()
    if batchMajor {
        // [B, S, D, H] -> [S, D, B, H]; [B, D, H] -> [D, B, H].
        let bs = swap01(y, B, S, D * H)
        y = bs
        var sd = bs
        for t in 0..<S { for b in 0..<B { for d in 0..<D { for j in 0..<H {
            sd[((t * D + d) * B + b) * H + j] = bs[((t * B + b) * D + d) * H + j] } } } }
        y = sd
        yh = swap01(yh, B, D, H)
    }
    #expect(close(y, ey), "\(c) Y")
    #expect(close(yh, eh), "\(c) Y_h")
    if c.op == "LSTM" {
        let yc = batchMajor ? swap01(outs[2].doubleValues(), B, D, H) : outs[2].doubleValues()
        #expect(close(yc, ec), "\(c) Y_c")
    }
}

@Suite struct RecurrentTests {
    @Test(arguments: ["RNN", "GRU", "LSTM"])
    func directionsMatchReference(op: String) throws {
        for direction in ["forward", "reverse", "bidirectional"] {
            let dirs = direction == "bidirectional" ? 2 : 1
            try check(Config(op: op, S: 4, B: 3, I: 5, H: 4, dirs: dirs, direction: direction, clip: nil))
            try check(Config(op: op, S: 3, B: 1, I: 2, H: 3, dirs: dirs, direction: direction, clip: nil, initial: true))
        }
    }

    @Test(arguments: ["RNN", "GRU", "LSTM"])
    func sequenceLengthsInitialStatesAndLayout(op: String) throws {
        for direction in ["forward", "reverse", "bidirectional"] {
            let dirs = direction == "bidirectional" ? 2 : 1
            let c = Config(op: op, S: 5, B: 3, I: 3, H: 2, dirs: dirs, direction: direction, lengths: [5, 2, 0], clip: nil, initial: true)
            try check(c)
            try check(c, batchMajor: true)
            try check(c, double: true)
        }
    }

    @Test func cellOptions() throws {
        try check(Config(op: "GRU", S: 3, B: 2, I: 3, H: 4, dirs: 2, direction: "bidirectional", clip: nil, linearBeforeReset: true, initial: true))
        try check(Config(op: "LSTM", S: 3, B: 2, I: 3, H: 4, dirs: 2, direction: "bidirectional", clip: nil, peephole: true, initial: true))
        for op in ["RNN", "GRU", "LSTM"] {
            try check(Config(op: op, S: 3, B: 2, I: 3, H: 2, dirs: 1, direction: "forward", clip: 0.3, peephole: op == "LSTM"), seed: 7)
        }
    }

    @Test func badInputThrows() throws {
        let x = try Tensor(shape: [2, 1, 3], scalars: [Float](repeating: 1, count: 6))
        let w = try Tensor(shape: [1, 4, 3], scalars: [Float](repeating: 0.1, count: 12))
        let r = try Tensor(shape: [1, 4, 4], scalars: [Float](repeating: 0.1, count: 16))
        // W with the wrong gate count for GRU.
        #expect(throws: InferError.self) { try runRecurrent("GRU", [x, w, r], outputs: 2, ["hidden_size": .int(4)]) }
        #expect(throws: InferError.self) { try runRecurrent("RNN", [x, w, r], outputs: 2, ["hidden_size": .int(4), "direction": .string("sideways")]) }
        let lens = try Tensor(shape: [1], scalars: [Int32(7)])
        #expect(throws: InferError.self) { try runRecurrent("RNN", [x, w, r, nil, lens], outputs: 2, ["hidden_size": .int(4)]) }
        #expect(throws: InferError.self) { try runRecurrent("RNN", [x, w, r], outputs: 2, ["hidden_size": .int(4), "activations": .strings(["Bogus"])]) }
        // RNN with these shapes is fine.
        _ = try runRecurrent("RNN", [x, w, r], outputs: 2, ["hidden_size": .int(4)])
    }
}
