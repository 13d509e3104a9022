import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// BatchNormalization, LayerNormalization, InstanceNormalization, GroupNormalization, LRN end to end.

fileprivate func runNode(_ op: String, opset: Int, _ inputs: [Tensor?], _ attributes: [String: Attribute] = [:],
                         outputs: [String] = ["y"], threads: Int = 1) throws -> [Tensor] {
    let node = Node(name: "n", opType: op, inputs: inputs.enumerated().map { $0.element == nil ? "" : "in\($0.offset)" },
                    outputs: outputs, attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(
        KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs, threads: threads))
    return outs
}

fileprivate func randomValues(_ count: Int, seed: UInt64) -> [Double] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(Float(Double(state >> 40) / Double(1 << 24) * 4 - 2))  // exactly representable as Float
    }
}

fileprivate func floats(_ shape: [Int], seed: UInt64) -> (Tensor, [Double]) {
    let v = randomValues(shape.reduce(1, *), seed: seed)
    return (Tensor(shape: shape, exactly: v.map { Float($0) }), v)
}

fileprivate func close(_ a: [Double], _ b: [Double], rtol: Double = 1e-4, atol: Double = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in x == y || abs(x - y) <= atol + rtol * abs(y) }
}

/// Mean and population variance of some values.
fileprivate func moments(_ v: [Double]) -> (Double, Double) {
    let m = v.reduce(0, +) / Double(v.count)
    return (m, v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count))
}

@Suite struct NormalizationOperatorTests {
    @Test(arguments: [[2, 3, 4, 5], [4, 3], [1, 3, 7]])
    func batchNormMatchesReference(shape: [Int]) throws {
        let c = shape[1], inner = shape[2...].reduce(1, *)
        let (x, xv) = floats(shape, seed: 1)
        let (scale, sv) = floats([c], seed: 2), (bias, bv) = floats([c], seed: 3), (mean, mv) = floats([c], seed: 4)
        let vv = randomValues(c, seed: 5).map { abs($0) + 0.5 }
        let variance = try Tensor(shape: [c], scalars: vv.map { Float($0) })
        let expected = xv.indices.map { i in
            let ch = (i / inner) % c
            return (xv[i] - mv[ch]) / (vv[ch] + 1e-3).squareRoot() * sv[ch] + bv[ch]
        }
        for opset in [7, 9, 14, 15] {
            let y = try runNode("BatchNormalization", opset: opset, [x, scale, bias, mean, variance],
                                ["epsilon": .float(1e-3)])[0]
            #expect(y.shape == shape && close(y.doubleValues(), expected), "opset \(opset)")
        }
    }

    @Test func batchNormSpatialZeroAndErrors() throws {
        // Opset 7 spatial = 0: one set of statistics per (channel, location).
        let (x, xv) = floats([2, 3, 2], seed: 1)
        let (scale, sv) = floats([3, 2], seed: 2), (bias, bv) = floats([3, 2], seed: 3), (mean, mv) = floats([3, 2], seed: 4)
        let vv = randomValues(6, seed: 5).map { abs($0) + 0.5 }
        let variance = try Tensor(shape: [3, 2], scalars: vv.map { Float($0) })
        let y = try runNode("BatchNormalization", opset: 7, [x, scale, bias, mean, variance], ["spatial": .int(0)])[0]
        let expected = xv.indices.map { i in
            let p = i % 6
            return (xv[i] - mv[p]) / (vv[p] + 1e-5).squareRoot() * sv[p] + bv[p]
        }
        #expect(close(y.doubleValues(), expected))
        let inputs = [x, scale, bias, mean, variance]
        let channelParams = [x] + [scale, bias, mean, variance].map { $0.reshaped(to: [6]) }
        #expect(throws: InferError.self) {  // per-channel parameters must have C values
            try runNode("BatchNormalization", opset: 15, channelParams)
        }
        #expect(throws: InferError.self) {
            try runNode("BatchNormalization", opset: 15, inputs, ["training_mode": .int(1)])
        }
        #expect(throws: InferError.self) {
            try runNode("BatchNormalization", opset: 15, inputs, outputs: ["y", "running_mean", "running_var"])
        }
    }

    @Test func layerNormMatchesReference() throws {
        let shape = [2, 3, 4]
        let (x, xv) = floats(shape, seed: 7)
        for axis in [-1, 1, 0, -2] {
            let a = (axis + 3) % 3
            let normalized = Array(shape[a...]), n = normalized.reduce(1, *)
            let (scale, sv) = floats(normalized, seed: 8), (bias, bv) = floats(normalized, seed: 9)
            for withBias in [true, false] {
                let outs = try runNode("LayerNormalization", opset: 17, [x, scale, withBias ? bias : nil],
                                       ["axis": .int(axis), "epsilon": .float(1e-4)], outputs: ["y", "mean", "inv_std"])
                var expected: [Double] = [], means: [Double] = [], invs: [Double] = []
                for row in 0..<(xv.count / n) {
                    let v = Array(xv[(row * n)..<((row + 1) * n)])
                    let (m, variance) = moments(v)
                    let inv = 1 / (variance + 1e-4).squareRoot()
                    means.append(m); invs.append(inv)
                    expected += v.indices.map { (v[$0] - m) * inv * sv[$0] + (withBias ? bv[$0] : 0) }
                }
                #expect(close(outs[0].doubleValues(), expected), "axis \(axis) bias \(withBias)")
                let statsShape = shape.enumerated().map { $0.offset < a ? $0.element : 1 }
                #expect(outs[1].shape == statsShape && outs[1].dtype == .float32)
                #expect(close(outs[1].doubleValues(), means) && close(outs[2].doubleValues(), invs))
            }
        }
        // Scale broadcast over the normalized shape [3, 4] from [4].
        let (scale, sv) = floats([4], seed: 10)
        let y = try runNode("LayerNormalization", opset: 17, [x, scale], ["axis": .int(1)])[0]
        var expected: [Double] = []
        for row in 0..<2 {
            let v = Array(xv[(row * 12)..<((row + 1) * 12)])
            let (m, variance) = moments(v)
            expected += v.indices.map { (v[$0] - m) / (variance + 1e-5).squareRoot() * sv[$0 % 4] }
        }
        #expect(close(y.doubleValues(), expected))
        // Double input with stash_type = 1: Mean is float.
        let xd = try Tensor(shape: shape, scalars: xv)
        let sd = try Tensor(shape: [4], scalars: [Double](repeating: 1, count: 4))
        let outs = try runNode("LayerNormalization", opset: 17, [xd, sd], outputs: ["y", "mean"])
        #expect(outs[0].dtype == .float64 && outs[1].dtype == .float32 && outs[1].shape == [2, 3, 1])
        #expect(throws: InferError.self) { try runNode("LayerNormalization", opset: 17, [x, floats([5], seed: 1).0]) }
        #expect(throws: InferError.self) { try runNode("LayerNormalization", opset: 17, [x, scale], ["axis": .int(3)]) }
    }

    @Test func bigLayerNormOnTwoThreads() throws {
        let (x, xv) = floats([96, 768], seed: 11)
        let (scale, sv) = floats([768], seed: 12), (bias, bv) = floats([768], seed: 13)
        let y = try runNode("LayerNormalization", opset: 17, [x, scale, bias], threads: 2)[0].doubleValues()
        var ok = true
        for row in 0..<96 {
            let v = Array(xv[(row * 768)..<((row + 1) * 768)])
            let (m, variance) = moments(v)
            let expected = v.indices.map { (v[$0] - m) / (variance + 1e-5).squareRoot() * sv[$0] + bv[$0] }
            ok = ok && close(Array(y[(row * 768)..<((row + 1) * 768)]), expected, rtol: 1e-4, atol: 1e-4)
        }
        #expect(ok)
    }

    /// Reference group norm with per-channel scale/bias.
    func referenceGroupNorm(_ xv: [Double], shape: [Int], groups: Int, scale: [Double], bias: [Double], epsilon: Double) -> [Double] {
        let c = shape[1], inner = shape[2...].reduce(1, *), block = c / groups * inner
        var y = xv
        for b in 0..<(xv.count / block) {
            let v = Array(xv[(b * block)..<((b + 1) * block)])
            let (m, variance) = moments(v)
            for j in 0..<block {
                let ch = (b % groups) * (c / groups) + j / inner
                y[b * block + j] = (v[j] - m) / (variance + epsilon).squareRoot() * scale[ch] + bias[ch]
            }
        }
        return y
    }

    @Test func instanceAndGroupNormMatchReference() throws {
        let shape = [2, 4, 3, 2]
        let (x, xv) = floats(shape, seed: 20)
        let (scale, sv) = floats([4], seed: 21), (bias, bv) = floats([4], seed: 22)
        let instance = try runNode("InstanceNormalization", opset: 6, [x, scale, bias], ["epsilon": .float(1e-3)])[0]
        #expect(close(instance.doubleValues(), referenceGroupNorm(xv, shape: shape, groups: 4, scale: sv, bias: bv, epsilon: 1e-3)))
        // Opset 21: per-channel scale and bias.
        let g21 = try runNode("GroupNormalization", opset: 21, [x, scale, bias], ["num_groups": .int(2)])[0]
        #expect(close(g21.doubleValues(), referenceGroupNorm(xv, shape: shape, groups: 2, scale: sv, bias: bv, epsilon: 1e-5)))
        // Opset 18: per-group scale and bias, each applied to all channels of its group.
        let (gs, gsv) = floats([2], seed: 23), (gb, gbv) = floats([2], seed: 24)
        let g18 = try runNode("GroupNormalization", opset: 18, [x, gs, gb], ["num_groups": .int(2)])[0]
        let perChannel = { (v: [Double]) in [v[0], v[0], v[1], v[1]] }
        #expect(close(g18.doubleValues(), referenceGroupNorm(xv, shape: shape, groups: 2, scale: perChannel(gsv),
                                                             bias: perChannel(gbv), epsilon: 1e-5)))
        #expect(throws: InferError.self) { try runNode("GroupNormalization", opset: 18, [x, scale, bias], ["num_groups": .int(2)]) }
        #expect(throws: InferError.self) { try runNode("GroupNormalization", opset: 21, [x, scale, bias], ["num_groups": .int(3)]) }
        #expect(throws: InferError.self) { try runNode("InstanceNormalization", opset: 6, [x, gs, gb]) }
    }

    @Test func lrnMatchesReference() throws {
        let shape = [2, 5, 3]
        let (x, xv) = floats(shape, seed: 30)
        for size in [1, 2, 3, 4] {
            let y = try runNode("LRN", opset: 13, [x], ["size": .int(size), "alpha": .float(0.02), "beta": .float(0.6),
                                                         "bias": .float(1.5)])[0]
            var expected = xv
            for n in 0..<2 {
                for c in 0..<5 {
                    for i in 0..<3 {
                        let lo = max(0, c - (size - 1) / 2), hi = min(4, c + size / 2)  // ceil((size-1)/2) = size/2
                        let sq = (lo...hi).reduce(0.0) { $0 + pow(xv[(n * 5 + $1) * 3 + i], 2) }
                        let k = (n * 5 + c) * 3 + i
                        expected[k] = xv[k] / pow(1.5 + 0.02 / Double(size) * sq, 0.6)
                    }
                }
            }
            #expect(close(y.doubleValues(), expected), "size \(size)")
        }
        #expect(throws: InferError.self) { try runNode("LRN", opset: 13, [x]) }  // size is required
    }
}
