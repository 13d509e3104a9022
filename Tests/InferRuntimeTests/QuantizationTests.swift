import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

/// The quantization family against naive references written from the ONNX definitions (and, where
/// marked, values from the ONNX operator docs, produced by onnx.reference).
@Suite struct QuantizationTests {
    typealias H = LinalgConvHarness

    /// numpy's rint then clip, as the ONNX reference quantizes.
    static func quantize(_ x: Double, _ scale: Double, _ zp: Double, _ lo: Double, _ hi: Double) -> Double {
        min(hi, max(lo, (x / scale).rounded(.toNearestOrEven) + zp))
    }

    @Test func quantizePerTensorRoundsHalfEvenAndSaturates() throws {
        let x = try Tensor(shape: [7], scalars: [Float](arrayLiteral: 0, 1, 2.5, 3.5, -1.5, 1000, -1000))
        let y = try H.run("QuantizeLinear", opset: 21, [x, Tensor(scalar: Float(1)), Tensor(scalar: Int8(2))])[0]
        #expect(y.dtype == .int8)
        #expect(try y.scalars(as: Int8.self) == [2, 3, 4, 6, 0, 127, -128])
        // No zero point: uint8.
        let u = try H.run("QuantizeLinear", opset: 10, [x, Tensor(scalar: Float(0.5))])[0]
        #expect(try u.scalars(as: UInt8.self) == [0, 2, 5, 7, 0, 255, 0])
    }

    @Test(arguments: [(shape: [2, 3, 4], axis: 1), (shape: [3, 5], axis: -1), (shape: [4, 2, 2], axis: 0)])
    func quantizeAndDequantizePerAxis(shape: [Int], axis: Int) throws {
        let x = H.random(shape, seed: 7)
        let a = axis < 0 ? axis + shape.count : axis, length = shape[a]
        let inner = shape[(a + 1)...].reduce(1, *)
        let scales = (0..<length).map { Float(0.01 + 0.005 * Double($0)) }
        let zps = (0..<length).map { UInt8(100 + 10 * $0) }
        let attrs: [String: Attribute] = ["axis": .int(axis)]
        let y = try H.run("QuantizeLinear", opset: 13, [x, Tensor(shape: [length], scalars: scales), Tensor(shape: [length], scalars: zps)],
                          attributes: attrs)[0]
        let xv = try x.scalars(as: Float.self)
        let expected = xv.indices.map { e -> UInt8 in
            let c = (e / inner) % length
            return UInt8(Self.quantize(Double(xv[e] / scales[c]) * Double(scales[c]), Double(scales[c]), Double(zps[c]), 0, 255))
        }
        #expect(try y.scalars(as: UInt8.self) == expected)
        let back = try H.run("DequantizeLinear", opset: 13, [y, Tensor(shape: [length], scalars: scales), Tensor(shape: [length], scalars: zps)],
                             attributes: attrs)[0]
        let bv = try back.scalars(as: Float.self)
        for e in bv.indices {
            let c = (e / inner) % length
            #expect(bv[e] == (Float(expected[e]) - Float(zps[c])) * scales[c])
        }
    }

    @Test func blockedQuantizationUsesOneScalePerBlock() throws {
        // x [2, 5], axis 1, block 2: scales [2, 3] (the last block holds one element).
        // Expected values computed offline with onnx.reference.ReferenceEvaluator (opset 21).
        let x = try Tensor(shape: [2, 5], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, -1, -2, -3, -4, -5))
        let scale = try Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 4, 0.5, 1, 2))
        let zp = try Tensor(shape: [2, 3], scalars: [Int8](arrayLiteral: 0, 1, -1, 0, 0, 3))
        let attrs: [String: Attribute] = ["axis": .int(1), "block_size": .int(2)]
        let y = try H.run("QuantizeLinear", opset: 21, [x, scale, zp], attributes: attrs)[0]
        #expect(try y.scalars(as: Int8.self) == [1, 2, 3, 3, 0, -2, -4, -3, -4, 1])
        let back = try H.run("DequantizeLinear", opset: 21, [y, scale, zp], attributes: attrs)[0]
        #expect(try back.scalars(as: Float.self) == [1, 2, 4, 4, 4, -1, -2, -3, -4, -4])
        // A scale of the wrong blocked shape is an error, not a crash.
        #expect(throws: InferError.self) {
            _ = try H.run("QuantizeLinear", opset: 21, [x, Tensor(shape: [2, 2], scalars: [Float](repeating: 1, count: 4))],
                          attributes: attrs)
        }
    }

    @Test func dequantizeInt32() throws {
        let x = try Tensor(shape: [3], scalars: [Int32](arrayLiteral: -70000, 0, 123456))
        let y = try H.run("DequantizeLinear", opset: 10, [x, Tensor(scalar: Float(0.5))])[0]
        #expect(try y.scalars(as: Float.self) == [-35000, 0, 61728])
    }

    /// Values from the ONNX DynamicQuantizeLinear doc example (onnx.reference).
    @Test func dynamicQuantizeLinearMatchesReference() throws {
        let x = try Tensor(shape: [6], scalars: [Float](arrayLiteral: 0, 2, -3, -2.5, 1.34, 0.5))
        let outs = try H.run("DynamicQuantizeLinear", opset: 11, [x], outputs: ["y", "s", "z"])
        #expect(try outs[0].scalars(as: UInt8.self) == [153, 255, 0, 26, 221, 179])
        #expect(abs(try outs[1].scalars(as: Float.self)[0] - 0.019607844) < 1e-9)
        #expect(try outs[2].scalars(as: UInt8.self) == [153])
    }

    static func integers<T: FixedWidthInteger & TensorScalar>(_ shape: [Int], seed: UInt64, _: T.Type) -> Tensor {
        let values = H.values(shape.reduce(1, *), seed: seed).map { T(truncatingIfNeeded: Int(($0 + 1) * 127.5)) }
        return Tensor(shape: shape, exactly: values)
    }

    /// Naive batched (a - azp) @ (b - bzp) with b's zero point per column.
    static func naiveMatMul(_ a: [Int], _ b: [Int], batches: Int, m: Int, k: Int, n: Int, aZero: Int, bZero: [Int]) -> [Int] {
        var out: [Int] = []
        for t in 0..<batches { for i in 0..<m { for j in 0..<n {
            out.append((0..<k).reduce(0) { $0 + (a[(t * m + i) * k + $1] - aZero) * (b[(t * k + $1) * n + j] - bZero[j]) })
        } } }
        return out
    }

    @Test func matMulIntegerAndQLinearMatMul() throws {
        let a = Self.integers([2, 3, 4], seed: 1, UInt8.self), b = Self.integers([2, 4, 5], seed: 2, Int8.self)
        let bZero = [Int8](arrayLiteral: 0, 1, -2, 3, 5)
        let expected = Self.naiveMatMul(a.intValuesAny, b.intValuesAny, batches: 2, m: 3, k: 4, n: 5,
                                        aZero: 10, bZero: bZero.map(Int.init))
        let y = try H.run("MatMulInteger", opset: 10, [a, b, Tensor(scalar: UInt8(10)), Tensor(shape: [5], scalars: bZero)])[0]
        #expect(y.shape == [2, 3, 5])
        #expect(try y.scalars(as: Int32.self).map(Int.init) == expected)

        let q = try H.run("QLinearMatMul", opset: 10, [a, Tensor(scalar: Float(0.02)), Tensor(scalar: UInt8(10)),
                                                       b, Tensor(scalar: Float(0.03)), Tensor(shape: [5], scalars: bZero),
                                                       Tensor(scalar: Float(0.05)), Tensor(scalar: UInt8(128))])[0]
        let multiplier = Double(Float(0.02) * Float(0.03) / Float(0.05))
        #expect(try q.scalars(as: UInt8.self) == expected.map { UInt8(Self.quantize(Double($0) * multiplier, 1, 128, 0, 255)) })
    }

    @Test(arguments: [(group: 1, pads: [1, 1, 1, 1], strides: [1, 1]), (group: 2, pads: [0, 1, 0, 1], strides: [2, 1])])
    func convIntegerMatchesNaive(group: Int, pads: [Int], strides: [Int]) throws {
        let x = Self.integers([1, 4, 5, 5], seed: 3, UInt8.self), w = Self.integers([4, 4 / group, 3, 2], seed: 4, Int8.self)
        let wZero = [Int8](arrayLiteral: 1, -1, 0, 2)
        let attrs: [String: Attribute] = ["group": .int(group), "pads": .ints(pads), "strides": .ints(strides)]
        let y = try H.run("ConvInteger", opset: 10, [x, w, Tensor(scalar: UInt8(7)), Tensor(shape: [4], scalars: wZero)], attributes: attrs)[0]
        let xv = x.intValuesAny, wv = w.intValuesAny, cg = 4 / group, mg = 4 / group
        let oh = (5 + pads[0] + pads[2] - 3) / strides[0] + 1, ow = (5 + pads[1] + pads[3] - 2) / strides[1] + 1
        var expected: [Int] = []
        for m in 0..<4 { for i in 0..<oh { for j in 0..<ow {
            var sum = 0
            for c in 0..<cg { for ki in 0..<3 { for kj in 0..<2 {
                let r = i * strides[0] - pads[0] + ki, s = j * strides[1] - pads[1] + kj
                guard r >= 0, r < 5, s >= 0, s < 5 else { continue }
                let xc = (m / mg) * cg + c
                sum += (xv[(xc * 5 + r) * 5 + s] - 7) * (wv[((m * cg + c) * 3 + ki) * 2 + kj] - Int(wZero[m]))
            } } }
            expected.append(sum)
        } } }
        #expect(y.shape == [1, 4, oh, ow])
        #expect(try y.scalars(as: Int32.self).map(Int.init) == expected)
    }

    /// The ONNX NonMaxSuppression doc's suppress_by_IOU case (expected from onnx.reference).
    @Test func nonMaxSuppressionSuppressesOverlaps() throws {
        let boxes = try Tensor(shape: [1, 6, 4], scalars: [Float](arrayLiteral:
            0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101))
        let scores = try Tensor(shape: [1, 1, 6], scalars: [Float](arrayLiteral: 0.9, 0.75, 0.6, 0.95, 0.5, 0.3))
        let y = try H.run("NonMaxSuppression", opset: 11, [boxes, scores, Tensor(shape: [1], scalars: [Int64(3)]),
                                                           Tensor(shape: [1], scalars: [Float(0.5)]), Tensor(shape: [1], scalars: [Float(0)])])[0]
        #expect(y.shape == [3, 3])
        #expect(try y.scalars(as: Int64.self) == [0, 0, 3, 0, 0, 0, 0, 0, 5])
        // Without max_output_boxes_per_class nothing is selected.
        #expect(try H.run("NonMaxSuppression", opset: 11, [boxes, scores])[0].shape == [0, 3])
        #expect(throws: InferError.self) {
            _ = try H.run("NonMaxSuppression", opset: 11, [Tensor(shape: [1, 6, 3], scalars: [Float](repeating: 0, count: 18)), scores])
        }
    }

    /// The ONNX TfIdfVectorizer doc's tf_uniandbigrams_skip5 case (expected from onnx.reference).
    @Test func tfIdfCountsUnigramsAndSkipBigrams() throws {
        let attrs: [String: Attribute] = [
            "mode": .string("TF"), "min_gram_length": .int(1), "max_gram_length": .int(2), "max_skip_count": .int(5),
            "ngram_counts": .ints([0, 4]), "ngram_indexes": .ints([0, 1, 2, 3, 4, 5, 6]),
            "pool_int64s": .ints([2, 3, 5, 4, 5, 6, 7, 8, 6, 7]),
        ]
        let x = try Tensor(shape: [12], scalars: [Int32](arrayLiteral: 1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8))
        let y = try H.run("TfIdfVectorizer", opset: 9, [x], attributes: attrs)[0]
        #expect(try y.scalars(as: Float.self) == [0, 3, 1, 0, 1, 3, 1])
        var idf = attrs
        idf["mode"] = .string("TFIDF"); idf["weights"] = .floats([1, 2, 3, 4, 5, 6, 7])
        let w = try H.run("TfIdfVectorizer", opset: 9, [x.reshaped(to: [2, 6])], attributes: idf)[0]
        #expect(w.shape == [2, 7])
        var strings = attrs
        strings["pool_strings"] = .strings(["a"])
        #expect(throws: InferError.self) { _ = try H.run("TfIdfVectorizer", opset: 9, [x], attributes: strings) }
    }
}

private extension Tensor {
    /// Element values of any integer tensor as Int.
    var intValuesAny: [Int] { doubleValues().map { Int($0) } }
}
