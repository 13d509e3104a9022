import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// Unique (the spec's worked examples), Col2Im (vs a naive loop from the definition),
// MaxUnpool and TensorScatter (vs the spec's pseudocode), and bad input.

fileprivate func runNode(_ op: String, opset: Int, _ inputs: [Tensor?], outputs: Int = 1,
                         _ attributes: [String: Attribute] = [:]) throws -> [Tensor] {
    let names = inputs.indices.map { inputs[$0] == nil ? "" : "in\($0)" }
    let node = Node(name: "n", opType: op, inputs: names, outputs: (0..<outputs).map { "out\($0)" }, attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs))
    return outs
}

@Suite struct RearrangementTests {
    /// Examples 1-4 of the ONNX Unique documentation.
    @Test func uniqueSpecExamples() throws {
        var outs = try runNode("Unique", opset: 11, [Tensor(shape: [6], scalars: [Float(2), 1, 1, 3, 4, 3])], outputs: 4, ["sorted": .int(0)])
        #expect(outs[0].doubleValues() == [2, 1, 3, 4])
        #expect(outs[1].intValues() == [0, 1, 3, 4])
        #expect(outs[2].intValues() == [0, 1, 1, 2, 3, 2])
        #expect(outs[3].intValues() == [1, 2, 2, 1])

        outs = try runNode("Unique", opset: 28, [Tensor(shape: [2, 2], scalars: [Int64(1), 3, 2, 3])], outputs: 4)
        #expect(outs[0].intValues() == [1, 2, 3] && outs[0].shape == [3])
        #expect(outs[1].intValues() == [0, 2, 1])
        #expect(outs[2].intValues() == [0, 2, 1, 2])
        #expect(outs[3].intValues() == [1, 1, 2])

        outs = try runNode("Unique", opset: 11, [Tensor(shape: [3, 3], scalars: [Int32(1), 0, 0, 1, 0, 0, 2, 3, 4])], outputs: 4,
                           ["sorted": .int(1), "axis": .int(0)])
        #expect(outs[0].shape == [2, 3] && outs[0].intValues() == [1, 0, 0, 2, 3, 4])
        #expect(outs[1].intValues() == [0, 2] && outs[2].intValues() == [0, 0, 1] && outs[3].intValues() == [2, 1])

        let x4 = try Tensor(shape: [2, 4, 2], scalars: [Double(1), 1, 0, 1, 2, 1, 0, 1, 1, 1, 0, 1, 2, 1, 0, 1])
        outs = try runNode("Unique", opset: 11, [x4], outputs: 4, ["axis": .int(-2)])
        #expect(outs[0].shape == [2, 3, 2] && outs[0].doubleValues() == [0, 1, 1, 1, 2, 1, 0, 1, 1, 1, 2, 1])
        #expect(outs[1].intValues() == [1, 0, 2] && outs[2].intValues() == [1, 0, 2, 0] && outs[3].intValues() == [2, 1, 1])
        // Y alone, and bad axis.
        #expect(try runNode("Unique", opset: 11, [Tensor(shape: [1], scalars: [UInt8(5)])])[0].intValues() == [5])
        #expect(throws: InferError.self) { try runNode("Unique", opset: 11, [x4], ["axis": .int(3)]) }
    }

    @Test func col2ImMatchesNaiveSum() throws {
        // 2-D: image 5x6, block 2x3, dilation (1,2), stride (2,1), pads (1,0,0,1), N=2, C=2.
        let image: [Int] = [5, 6], block: [Int] = [2, 3], dil: [Int] = [1, 2], str: [Int] = [2, 1], pads: [Int] = [1, 0, 0, 1]
        // Blocks per dim: (5 + 1 + 0 - 1 - 1) / 2 + 1 = 3 and (6 + 0 + 1 - 4 - 1) / 1 + 1 = 3.
        let blocks: [Int] = [3, 3]
        let K = 6, L = 9, N = 2, C = 2
        let values: [Float] = (0..<(N * C * K * L)).map { (i: Int) -> Float in Float((i * 7) % 11) - 5 }
        var expected = [Double](repeating: 0, count: N * C * 30)
        for n in 0..<N { for c in 0..<C { for kh in 0..<2 { for kw in 0..<3 { for bh in 0..<blocks[0] { for bw in 0..<blocks[1] {
            let h: Int = bh * str[0] - pads[0] + kh * dil[0]
            let w: Int = bw * str[1] - pads[1] + kw * dil[1]
            guard h >= 0, h < 5, w >= 0, w < 6 else { continue }
            let plane: Int = n * C + c
            let src: Int = (plane * K + kh * 3 + kw) * L + bh * blocks[1] + bw
            let dst: Int = plane * 30 + h * 6 + w
            expected[dst] += Double(values[src])
        } } } } } }
        let out = try runNode("Col2Im", opset: 18, [Tensor(shape: [N, C * K, L], scalars: values),
                                                    Tensor(shape: [2], scalars: image.map { Int64($0) }),
                                                    Tensor(shape: [2], scalars: block.map { Int64($0) })] as [Tensor?],
                              ["dilations": .ints(dil), "strides": .ints(str), "pads": .ints(pads)])[0]
        #expect(out.shape == [N, C, 5, 6] && out.doubleValues() == expected)
        // L does not match the block count.
        #expect(throws: InferError.self) {
            try runNode("Col2Im", opset: 18, [Tensor(shape: [1, 6, L + 1], scalars: [Float](repeating: 0, count: 6 * (L + 1))),
                                              Tensor(shape: [2], scalars: image.map { Int64($0) }),
                                              Tensor(shape: [2], scalars: block.map { Int64($0) })],
                        ["dilations": .ints(dil), "strides": .ints(str), "pads": .ints(pads)])
        }
    }

    @Test func maxUnpoolPlacesValues() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], scalars: [Float(5), 6, 7, 8])
        let i = try Tensor(shape: [1, 1, 2, 2], scalars: [Int64(5), 7, 13, 15])
        let attrs: [String: Attribute] = ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]
        let y = try runNode("MaxUnpool", opset: 11, [x, i], attrs)[0]
        var expected = [Double](repeating: 0, count: 16)
        for (k, v) in [5, 7, 13, 15].enumerated() { expected[v] = [5, 6, 7, 8][k] }
        #expect(y.shape == [1, 1, 4, 4] && y.doubleValues() == expected)
        // A larger output_shape holds the 4x4 result at its origin (the ONNX reference's reading).
        let z = try runNode("MaxUnpool", opset: 22, [x, i, Tensor(shape: [4], scalars: [Int64(1), 1, 5, 5])], attrs)[0]
        var big = [Double](repeating: 0, count: 25)
        for r in 0..<4 { for c in 0..<4 { big[r * 5 + c] = expected[r * 4 + c] } }
        #expect(z.shape == [1, 1, 5, 5] && z.doubleValues() == big)
        #expect(throws: InferError.self) { try runNode("MaxUnpool", opset: 11, [x, Tensor(shape: [1, 1, 2, 2], scalars: [Int64(0), 1, 2, 16])], attrs) }
    }

    @Test(arguments: ["linear", "circular"])
    func tensorScatterFollowsPseudocode(mode: String) throws {
        let past = (0..<(2 * 3 * 4 * 2)).map { Float($0) }
        let update = (0..<(2 * 3 * 2 * 2)).map { Float(100 + $0) }
        let writes: [Int64] = mode == "linear" ? [2, 0] : [3, 1]
        let out = try runNode("TensorScatter", opset: 24, [Tensor(shape: [2, 3, 4, 2], scalars: past),
                                                          Tensor(shape: [2, 3, 2, 2], scalars: update),
                                                          Tensor(shape: [2], scalars: writes)], ["mode": .string(mode)])[0]
        var expected = past.map { Double($0) }
        for b in 0..<2 { for h in 0..<3 { for s in 0..<2 { for k in 0..<2 {
            var row = Int(writes[b]) + s
            if mode == "circular" { row %= 4 }
            expected[((b * 3 + h) * 4 + row) * 2 + k] = Double(update[((b * 3 + h) * 2 + s) * 2 + k])
        } } } }
        #expect(out.doubleValues() == expected)
    }

    @Test func tensorScatterBadInputThrows() throws {
        let past = try Tensor(shape: [1, 4, 2], scalars: [Int64](repeating: 0, count: 8))
        let update = try Tensor(shape: [1, 2, 2], scalars: [Int64](repeating: 1, count: 4))
        #expect(throws: InferError.self) { try runNode("TensorScatter", opset: 24, [past, update, Tensor(shape: [1], scalars: [Int64(3)])]) }
        #expect(throws: InferError.self) { try runNode("TensorScatter", opset: 24, [past, Tensor(shape: [1, 5, 2], scalars: [Int64](repeating: 1, count: 10))]) }
        let ok = try runNode("TensorScatter", opset: 24, [past, update])[0]
        #expect(ok.intValues() == [1, 1, 1, 1, 0, 0, 0, 0])
    }
}
