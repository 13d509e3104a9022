import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// LinearAttention and CausalConvWithState (opset 27) end to end against naive references written
// from the ONNX spec text (and onnx/reference/ops/op_linear_attention.py, op_causal_conv_with_state.py).

fileprivate func runNode(_ op: String, _ inputs: [Tensor?], _ attributes: [String: Attribute] = [:],
                         threads: Int = 1) throws -> [Tensor] {
    let node = Node(name: "n", opType: op, inputs: inputs.enumerated().map { $0.element == nil ? "" : "in\($0.offset)" },
                    outputs: ["y", "state"], attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: 27, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(
        KernelContext(node: node, opset: 27, inputs: inputs, outputs: outs, threads: threads))
    return outs
}

fileprivate func randomValues(_ count: Int, seed: UInt64, range: Double = 2) -> [Double] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(Float(Double(state >> 40) / Double(1 << 24) * 2 * range - range))  // exactly representable as Float
    }
}

/// A tensor of float32 (or float64) values and the same values as Doubles.
fileprivate func values(_ shape: [Int], seed: UInt64, range: Double = 1, double: Bool = false) -> (Tensor, [Double]) {
    let v = randomValues(shape.reduce(1, *), seed: seed, range: range)
    return (double ? Tensor(shape: shape, exactly: v) : Tensor(shape: shape, exactly: v.map { Float($0) }), v)
}

fileprivate func close(_ a: [Double], _ b: [Double], rtol: Double = 1e-4, atol: Double = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in abs(x - y) <= atol + rtol * abs(y) }
}

/// The recurrence exactly as the spec states it, token by token on 4-D indices.
fileprivate func referenceLinearAttention(q: [Double], k: [Double], v: [Double], past: [Double]?, decay: [Double]?,
                                          beta: [Double]?, batch: Int, length: Int, qHeads: Int, kvHeads: Int,
                                          dk: Int, dv: Int, decayWidth: Int, betaWidth: Int, scale: Double) -> ([Double], [Double]) {
    var state = past ?? [Double](repeating: 0, count: batch * kvHeads * dk * dv)
    var out = [Double](repeating: 0, count: batch * length * qHeads * dv)
    let group = qHeads / kvHeads
    func s(_ b: Int, _ h: Int, _ d: Int, _ m: Int) -> Int { ((b * kvHeads + h) * dk + d) * dv + m }
    for b in 0..<batch { for t in 0..<length { for h in 0..<kvHeads {
        let kt = (0..<dk).map { k[(b * length + t) * kvHeads * dk + h * dk + $0] }
        var vt = (0..<dv).map { v[(b * length + t) * kvHeads * dv + h * dv + $0] }
        if let decay {
            for d in 0..<dk {
                let g = decayWidth == kvHeads ? decay[(b * length + t) * kvHeads + h] : decay[(b * length + t) * kvHeads * dk + h * dk + d]
                for m in 0..<dv { state[s(b, h, d, m)] *= exp(g) }
            }
        }
        if let beta {
            let rate = beta[(b * length + t) * betaWidth + (betaWidth == 1 ? 0 : h)]
            for m in 0..<dv {
                let retrieved = (0..<dk).reduce(0.0) { $0 + state[s(b, h, $1, m)] * kt[$1] }
                vt[m] = rate * (vt[m] - retrieved)
            }
        }
        for d in 0..<dk { for m in 0..<dv { state[s(b, h, d, m)] += kt[d] * vt[m] } }
        for j in 0..<group {
            let hq = h * group + j
            for m in 0..<dv {
                let dot = (0..<dk).reduce(0.0) { $0 + q[(b * length + t) * qHeads * dk + hq * dk + $1] * state[s(b, h, $1, m)] }
                out[(b * length + t) * qHeads * dv + hq * dv + m] = scale * dot
            }
        }
    } } }
    return (out, state)
}

/// The padded-sequence definition: p = past ++ x, y[t] = bias + sum_j w[j] p[t + j], state = last k - 1 of p.
fileprivate func referenceCausalConv(x: [Double], w: [Double], bias: [Double]?, past: [Double]?, batch: Int,
                                     channels: Int, length: Int, k: Int, silu: Bool) -> ([Double], [Double]) {
    var out: [Double] = [], state: [Double] = []
    for b in 0..<batch { for c in 0..<channels {
        let plane = b * channels + c
        let pad = past.map { Array($0[(plane * (k - 1))..<((plane + 1) * (k - 1))]) } ?? [Double](repeating: 0, count: k - 1)
        let p = pad + x[(plane * length)..<((plane + 1) * length)]
        for t in 0..<length {
            var y = bias?[c] ?? 0
            for j in 0..<k { y += w[c * k + j] * p[t + j] }
            out.append(silu ? y / (1 + exp(-y)) : y)
        }
        state += p[(p.count - (k - 1))...]
    } }
    return (out, state)
}

@Suite struct LinearRecurrenceTests {
    struct AttentionCase: Sendable, CustomStringConvertible {
        var rule: String, qHeads: Int, kvHeads: Int, length: Int, perHeadDecay = false, scalarBeta = false
        var past = false, scale: Float = 0, double = false
        var description: String { "\(rule) q\(qHeads)/kv\(kvHeads) T\(length) past \(past) \(double ? "f64" : "f32")" }
    }

    @Test(arguments: [
        AttentionCase(rule: "linear", qHeads: 2, kvHeads: 2, length: 3),
        AttentionCase(rule: "linear", qHeads: 2, kvHeads: 2, length: 1, past: true),
        AttentionCase(rule: "gated", qHeads: 2, kvHeads: 2, length: 4),
        AttentionCase(rule: "gated", qHeads: 4, kvHeads: 2, length: 3, perHeadDecay: true, past: true),
        AttentionCase(rule: "delta", qHeads: 2, kvHeads: 2, length: 4, scalarBeta: true),
        AttentionCase(rule: "gated_delta", qHeads: 2, kvHeads: 2, length: 5, past: true),
        AttentionCase(rule: "gated_delta", qHeads: 4, kvHeads: 1, length: 3, perHeadDecay: true, scalarBeta: true),
        AttentionCase(rule: "gated_delta", qHeads: 6, kvHeads: 3, length: 2, past: true, scale: 0.3),
        AttentionCase(rule: "gated_delta", qHeads: 2, kvHeads: 1, length: 3, past: true, double: true),
        AttentionCase(rule: "gated_delta", qHeads: 2, kvHeads: 2, length: 0),
    ])
    func linearAttentionMatchesReference(c: AttentionCase) throws {
        let batch = 2, dk = 3, dv = 4
        let (q, qv) = values([batch, c.length, c.qHeads * dk], seed: 1, double: c.double)
        let (k, kv) = values([batch, c.length, c.kvHeads * dk], seed: 2, double: c.double)
        let (v, vv) = values([batch, c.length, c.kvHeads * dv], seed: 3, double: c.double)
        let (past, pv) = values([batch, c.kvHeads, dk, dv], seed: 4, double: c.double)
        let gated = c.rule.hasPrefix("gated"), delta = c.rule.hasSuffix("delta")
        let decayWidth = c.perHeadDecay ? c.kvHeads : c.kvHeads * dk, betaWidth = c.scalarBeta ? 1 : c.kvHeads
        let (decay, dvals) = values([batch, c.length, decayWidth], seed: 5, range: 0.5, double: c.double)
        let (beta, bvals) = values([batch, c.length, betaWidth], seed: 6, range: 0.5, double: c.double)
        var attributes: [String: Attribute] = ["q_num_heads": .int(c.qHeads), "kv_num_heads": .int(c.kvHeads),
                                               "update_rule": .string(c.rule)]
        if c.scale != 0 { attributes["scale"] = .float(c.scale) }
        let outs = try runNode("LinearAttention", [q, k, v, c.past ? past : nil, gated ? decay : nil, delta ? beta : nil], attributes)
        let scale = c.scale != 0 ? Double(c.scale) : 1 / Double(dk).squareRoot()
        let (expectedOut, expectedState) = referenceLinearAttention(
            q: qv, k: kv, v: vv, past: c.past ? pv : nil, decay: gated ? dvals : nil, beta: delta ? bvals : nil,
            batch: batch, length: c.length, qHeads: c.qHeads, kvHeads: c.kvHeads, dk: dk, dv: dv,
            decayWidth: decayWidth, betaWidth: betaWidth, scale: scale)
        #expect(outs[0].shape == [batch, c.length, c.qHeads * dv])
        #expect(outs[1].shape == [batch, c.kvHeads, dk, dv])
        #expect(outs[0].dtype == q.dtype && outs[1].dtype == q.dtype)
        #expect(close(outs[0].doubleValues(), expectedOut))
        #expect(close(outs[1].doubleValues(), expectedState))
    }

    @Test func linearAttentionThreadedMatchesSerial() throws {
        let (q, _) = values([2, 24, 4 * 16], seed: 1), (k, _) = values([2, 24, 2 * 16], seed: 2)
        let (v, _) = values([2, 24, 2 * 16], seed: 3), (decay, _) = values([2, 24, 2], seed: 4, range: 0.3)
        let (beta, _) = values([2, 24, 2], seed: 5, range: 0.5)
        let attributes: [String: Attribute] = ["q_num_heads": .int(4), "kv_num_heads": .int(2)]
        let serial = try runNode("LinearAttention", [q, k, v, nil, decay, beta], attributes, threads: 1)
        let threaded = try runNode("LinearAttention", [q, k, v, nil, decay, beta], attributes, threads: 2)
        #expect(serial[0].doubleValues() == threaded[0].doubleValues())
        #expect(serial[1].doubleValues() == threaded[1].doubleValues())
    }

    @Test func linearAttentionRejectsBadInput() throws {
        let (q, _) = values([1, 2, 4], seed: 1), (k, _) = values([1, 2, 4], seed: 2), (v, _) = values([1, 2, 4], seed: 3)
        let (decay, _) = values([1, 2, 2], seed: 4), (beta, _) = values([1, 2, 2], seed: 5)
        let heads: [String: Attribute] = ["q_num_heads": .int(2), "kv_num_heads": .int(2)]
        func rejects(_ inputs: [Tensor?], _ attributes: [String: Attribute]) {
            #expect(throws: InferError.self) { _ = try runNode("LinearAttention", inputs, attributes) }
        }
        rejects([q, k, v, nil, nil, beta], heads)                                      // gated_delta needs decay
        rejects([q, k, v, nil, decay, nil], heads)                                     // ... and beta
        rejects([q, k, v, nil, decay, nil], heads.merging(["update_rule": .string("linear")]) { $1 })  // linear forbids decay
        rejects([q, k, v, nil, decay, beta], heads.merging(["update_rule": .string("mamba")]) { $1 })
        rejects([q, k, v, nil, decay, beta], ["q_num_heads": .int(3), "kv_num_heads": .int(2)])
        rejects([q, k, v, nil, decay, beta], ["q_num_heads": .int(2)])
        rejects([q, k, v, values([1, 2, 2, 3], seed: 6).0, decay, beta], heads)        // past_state shape
        rejects([q, k, v, nil, values([1, 2, 3], seed: 7).0, beta], heads)            // decay width
        rejects([q, k, v, nil, decay, values([1, 2, 3], seed: 8).0], heads)            // beta width
        rejects([q, values([1, 2, 6], seed: 9).0, v, nil, decay, beta], heads)         // key dims
        rejects([values([2, 4], seed: 10).0, k, v, nil, decay, beta], heads)           // rank
        let ints = try Tensor(shape: [1, 2, 4], scalars: [Int64](repeating: 1, count: 8))
        rejects([ints, ints, ints, nil, nil, nil], heads.merging(["update_rule": .string("linear")]) { $1 })
    }

    struct ConvCase: Sendable, CustomStringConvertible {
        var length: Int, k: Int, bias = false, past = false, activation = "none", double = false
        var description: String { "L\(length) k\(k) bias \(bias) past \(past) \(activation) \(double ? "f64" : "f32")" }
    }

    @Test(arguments: [
        ConvCase(length: 8, k: 4), ConvCase(length: 8, k: 4, bias: true, past: true),
        ConvCase(length: 1, k: 4, bias: true, past: true), ConvCase(length: 2, k: 5),
        ConvCase(length: 2, k: 5, past: true), ConvCase(length: 6, k: 1, bias: true),
        ConvCase(length: 7, k: 3, past: true, activation: "silu"), ConvCase(length: 5, k: 2, activation: "swish"),
        ConvCase(length: 4, k: 3, bias: true, past: true, activation: "silu", double: true), ConvCase(length: 0, k: 3, past: true),
    ])
    func causalConvMatchesReference(c: ConvCase) throws {
        let batch = 2, channels = 3
        let (x, xv) = values([batch, channels, c.length], seed: 1, double: c.double)
        let (w, wv) = values([channels, 1, c.k], seed: 2, double: c.double)
        let (bias, bv) = values([channels], seed: 3, double: c.double)
        let (past, pv) = values([batch, channels, c.k - 1], seed: 4, double: c.double)
        let outs = try runNode("CausalConvWithState", [x, w, c.bias ? bias : nil, c.past ? past : nil],
                               ["activation": .string(c.activation)])
        let (expectedOut, expectedState) = referenceCausalConv(
            x: xv, w: wv, bias: c.bias ? bv : nil, past: c.past ? pv : nil, batch: batch, channels: channels,
            length: c.length, k: c.k, silu: c.activation != "none")
        #expect(outs[0].shape == [batch, channels, c.length] && outs[1].shape == [batch, channels, c.k - 1])
        #expect(close(outs[0].doubleValues(), expectedOut))
        #expect(outs[1].doubleValues() == expectedState)
    }

    @Test func causalConvThreadedMatchesSerial() throws {
        let (x, _) = values([2, 32, 256], seed: 1), (w, _) = values([32, 1, 5], seed: 2), (past, _) = values([2, 32, 4], seed: 3)
        let serial = try runNode("CausalConvWithState", [x, w, nil, past], threads: 1)
        let threaded = try runNode("CausalConvWithState", [x, w, nil, past], threads: 2)
        #expect(serial[0].doubleValues() == threaded[0].doubleValues())
        #expect(serial[1].doubleValues() == threaded[1].doubleValues())
    }

    @Test func causalConvRejectsBadInput() throws {
        let (x, _) = values([1, 2, 4], seed: 1), (w, _) = values([2, 1, 3], seed: 2)
        func rejects(_ inputs: [Tensor?], _ attributes: [String: Attribute] = [:]) {
            #expect(throws: InferError.self) { _ = try runNode("CausalConvWithState", inputs, attributes) }
        }
        rejects([x, w], ["activation": .string("gelu")])
        rejects([x, values([3, 1, 3], seed: 3).0])                   // channels
        rejects([x, values([2, 2, 3], seed: 4).0])                   // not depthwise
        rejects([x, values([2, 1, 0], seed: 5).0])                   // empty kernel
        rejects([x, w, values([3], seed: 6).0])                      // bias
        rejects([x, w, nil, values([1, 2, 3], seed: 7).0])           // past_state must hold k - 1
        rejects([values([2, 4], seed: 8).0, w])                      // rank
        rejects([x, values([2, 1, 3], seed: 9, double: true).0])     // mixed dtypes
        let ints = try Tensor(shape: [1, 2, 4], scalars: [Int64](repeating: 1, count: 8))
        rejects([ints, try Tensor(shape: [2, 1, 3], scalars: [Int64](repeating: 1, count: 6))])
    }
}
