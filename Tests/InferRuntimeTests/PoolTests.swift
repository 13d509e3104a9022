import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

/// Max / average pooling straight from the ONNX definition, on doubles. Average divides by
/// the taps inside the input, or (countIncludePad) inside the input plus its pads.
func naivePool(x: Tensor, max isMax: Bool, kernel: [Int], strides: [Int], padsBegin: [Int], padsEnd: [Int],
               dilations: [Int], countIncludePad: Bool, outSpatial: [Int]) -> ([Double], [Int]) {
    let xv = x.doubleValues(), inSpatial = Array(x.shape.dropFirst(2))
    var out: [Double] = []
    for b in 0..<x.shape[0] { for c in 0..<x.shape[1] {
        for o in allIndices(outSpatial) {
            var best = -Double.infinity, sum = 0.0, inside = 0, padded = 0
            for k in allIndices(kernel) {
                let pos = windowPosition(o, k, strides, padsBegin, dilations)
                let inPadded = (0..<pos.count).allSatisfy { pos[$0] >= -padsBegin[$0] && pos[$0] < inSpatial[$0] + padsEnd[$0] }
                if inPadded { padded += 1 }
                if zip(pos, inSpatial).contains(where: { $0 < 0 || $0 >= $1 }) { continue }
                let v = xv[flatIndex([b, c] + pos, x.shape)]
                best = Swift.max(best, v); sum += v; inside += 1
            }
            out.append(isMax ? best : sum / Double(countIncludePad ? padded : inside))
        }
    } }
    return (out, [x.shape[0], x.shape[1]] + outSpatial)
}

@Suite struct PoolTests {
    typealias H = LinalgConvHarness

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var x: [Int], kernel: [Int]
        var strides: [Int]? = nil, pads: [Int]? = nil, dilations: [Int]? = nil
        var ceil = false, includePad = false, autoPad: String? = nil
        var refPads: [Int], out: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "2x2 stride 2", x: [1, 2, 4, 6], kernel: [2, 2], strides: [2, 2], refPads: [0, 0, 0, 0], out: [2, 3]),
        // The vectorized halving average (eight outputs at a time, scalar tail; odd sizes drop the last row/column).
        Case(name: "2x2 stride 2, odd wide plane", x: [1, 3, 9, 37], kernel: [2, 2], strides: [2, 2], refPads: [0, 0, 0, 0], out: [4, 18]),
        Case(name: "2x2 stride 2, DenseNet transition", x: [1, 2, 56, 56], kernel: [2, 2], strides: [2, 2], refPads: [0, 0, 0, 0], out: [28, 28]),
        Case(name: "3x3 stride 2 pad 1 (ResNet stem)", x: [2, 3, 8, 8], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1],
             refPads: [1, 1, 1, 1], out: [4, 4]),
        Case(name: "count_include_pad", x: [1, 2, 5, 5], kernel: [3, 3], pads: [1, 1, 1, 1], includePad: true,
             refPads: [1, 1, 1, 1], out: [5, 5]),
        Case(name: "ceil_mode", x: [1, 1, 5, 5], kernel: [2, 2], strides: [2, 2], ceil: true, refPads: [0, 0, 0, 0], out: [3, 3]),
        Case(name: "ceil_mode with pads and count_include_pad", x: [1, 2, 5, 5], kernel: [3, 3], strides: [2, 2],
             pads: [1, 1, 1, 1], ceil: true, includePad: true, refPads: [1, 1, 1, 1], out: [3, 3]),
        Case(name: "ceil_mode drops window starting in right pad", x: [1, 1, 5, 5], kernel: [2, 2], strides: [3, 3],
             pads: [1, 1, 1, 1], ceil: true, includePad: true, refPads: [1, 1, 1, 1], out: [2, 2]),
        Case(name: "dilations", x: [1, 2, 7, 6], kernel: [2, 3], dilations: [2, 2], refPads: [0, 0, 0, 0], out: [5, 2]),
        Case(name: "1-D", x: [2, 3, 9], kernel: [3], strides: [2], pads: [1, 0], refPads: [1, 0], out: [4]),
        Case(name: "3-D", x: [1, 2, 4, 4, 5], kernel: [2, 2, 3], strides: [2, 2, 1], pads: [0, 0, 1, 0, 0, 1],
             refPads: [0, 0, 1, 0, 0, 1], out: [2, 2, 5]),
        Case(name: "SAME_UPPER", x: [1, 1, 5, 5], kernel: [2, 2], strides: [2, 2], autoPad: "SAME_UPPER",
             refPads: [0, 0, 1, 1], out: [3, 3]),
        Case(name: "SAME_LOWER", x: [1, 1, 5, 5], kernel: [2, 2], strides: [2, 2], autoPad: "SAME_LOWER",
             refPads: [1, 1, 0, 0], out: [3, 3]),
        Case(name: "VALID", x: [1, 1, 6, 5], kernel: [3, 3], strides: [2, 2], autoPad: "VALID", refPads: [0, 0, 0, 0], out: [2, 2]),
    ]

    @Test(arguments: cases)
    func matchesNaive(c: Case) throws {
        let x = H.random(c.x, seed: 41)
        var attrs: [String: Attribute] = ["kernel_shape": .ints(c.kernel)]
        if let s = c.strides { attrs["strides"] = .ints(s) }
        if let p = c.pads { attrs["pads"] = .ints(p) }
        if let d = c.dilations { attrs["dilations"] = .ints(d) }
        if let a = c.autoPad { attrs["auto_pad"] = .string(a) }
        if c.ceil { attrs["ceil_mode"] = .int(1) }
        if c.includePad { attrs["count_include_pad"] = .int(1) }
        let r = c.kernel.count
        for isMax in [true, false] {
            let y = try H.run(isMax ? "MaxPool" : "AveragePool", opset: 19, [x], attributes: attrs)[0]
            let (expected, shape) = naivePool(x: x, max: isMax, kernel: c.kernel, strides: c.strides ?? Array(repeating: 1, count: r),
                                              padsBegin: Array(c.refPads[0..<r]), padsEnd: Array(c.refPads[r...]),
                                              dilations: c.dilations ?? Array(repeating: 1, count: r),
                                              countIncludePad: c.includePad, outSpatial: c.out)
            H.expectClose(y, expected, shape: shape)
            let threaded = try H.run(isMax ? "MaxPool" : "AveragePool", opset: 19, [x], attributes: attrs, threads: 2)[0]
            #expect(threaded == y)
        }
    }

    /// Values computed offline by onnx.reference.ReferenceEvaluator and ONNX Runtime 1.32 (they agree)
    /// for X = 1...25 as [1, 1, 5, 5].
    @Test func averagePoolMatchesOnnxReference() throws {
        let x = try Tensor(shape: [1, 1, 5, 5], scalars: (1...25).map(Float.init))
        let y1 = try H.run("AveragePool", [x], attributes: ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]),
                                                          "pads": .ints([1, 1, 1, 1]), "ceil_mode": .int(1), "count_include_pad": .int(1)])[0]
        H.expectClose(y1, [1.7777778, 3.6666667, 3.1111112, 7.6666665, 13.0, 9.666667, 8.444445, 13.666667, 9.777778],
                      shape: [1, 1, 3, 3], tolerance: 1e-6)
        let y2 = try H.run("AveragePool", [x], attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]),
                                                          "ceil_mode": .int(1), "count_include_pad": .int(1)])[0]
        H.expectClose(y2, [4, 6, 7.5, 14, 16, 17.5, 21.5, 23.5, 25], shape: [1, 1, 3, 3], tolerance: 1e-6)
        let y3 = try H.run("AveragePool", [x], attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([3, 3]),
                                                          "pads": .ints([1, 1, 1, 1]), "ceil_mode": .int(1), "count_include_pad": .int(1)])[0]
        H.expectClose(y3, [0.25, 1.75, 6.75, 16], shape: [1, 1, 2, 2], tolerance: 1e-6)
    }

    @Test func float64Pools() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], scalars: [1.0, 2.0, 3.0, 4.0])
        #expect(try H.run("MaxPool", [x], attributes: ["kernel_shape": .ints([2, 2])])[0].scalars(as: Double.self) == [4])
        #expect(try H.run("AveragePool", [x], attributes: ["kernel_shape": .ints([2, 2])])[0].scalars(as: Double.self) == [2.5])
        #expect(try H.run("GlobalAveragePool", [x])[0].scalars(as: Double.self) == [2.5])
        #expect(try H.run("GlobalMaxPool", [x])[0].scalars(as: Double.self) == [4])
    }

    @Test(arguments: [[2, 3, 4, 5], [1, 2, 7], [2, 2, 2, 3, 2], [1, 3, 1, 1]])
    func globalPoolsMatchNaive(shape: [Int]) throws {
        let x = H.random(shape, seed: 51)
        let plane = shape.dropFirst(2).reduce(1, *), values = x.doubleValues()
        let outShape = [shape[0], shape[1]] + Array(repeating: 1, count: shape.count - 2)
        let planes = (0..<shape[0] * shape[1]).map { Array(values[$0 * plane..<($0 + 1) * plane]) }
        H.expectClose(try H.run("GlobalAveragePool", [x])[0], planes.map { $0.reduce(0, +) / Double(plane) }, shape: outShape)
        H.expectClose(try H.run("GlobalMaxPool", [x])[0], planes.map { $0.max()! }, shape: outShape, tolerance: 0)
    }

    /// MaxPool's Indices output: each maximum's flat index into X (row-major, storage_order 0).
    @Test func maxPoolIndicesPointAtTheMaxima() throws {
        let x = H.random([1, 2, 4, 4], seed: 1)
        let out = try H.run("MaxPool", [x], attributes: ["kernel_shape": .ints([2, 2])], outputs: ["y", "indices"])
        let values = x.doubleValues(), maxima = out[0].doubleValues(), indices = out[1].intValues()
        #expect(out[1].dtype == .int64 && out[1].shape == [1, 2, 3, 3])
        for (k, index) in indices.enumerated() {
            #expect(values[index] == maxima[k])
            // Inside the window of output k: plane k / 9, rows and columns (k % 9) / 3 and k % 3 (+1).
            let plane = k / 9, (row, column) = ((k % 9) / 3, k % 3)
            #expect(index / 16 == plane && (index % 16) / 4 - row >= 0 && (index % 16) / 4 - row <= 1
                    && index % 4 - column >= 0 && index % 4 - column <= 1)
        }
    }

    @Test func badPoolsThrow() {
        let x = H.random([1, 1, 4, 4], seed: 1)
        #expect(throws: InferError.self) { try H.run("MaxPool", [x]) }   // no kernel_shape
        #expect(throws: InferError.self) { try H.run("MaxPool", [x], attributes: ["kernel_shape": .ints([2])]) }
        #expect(throws: InferError.self) { try H.run("MaxPool", [x], attributes: ["kernel_shape": .ints([5, 5])]) }
        #expect(throws: InferError.self) { try H.run("AveragePool", [H.random([4, 4], seed: 1)], attributes: ["kernel_shape": .ints([2, 2])]) }
        #expect(throws: InferError.self) {
            try H.run("MaxPool", [Tensor(shape: [1, 1, 2, 2], scalars: [Int64](repeating: 1, count: 4))], attributes: ["kernel_shape": .ints([2, 2])])
        }
        #expect(throws: InferError.self) { try H.run("GlobalAveragePool", [H.random([2, 3], seed: 1)]) }
    }

    @Test func symbolicInference() throws {
        let x = ValueType(dtype: .float32, shape: [.symbol("N"), .value(64), .value(112), .unknown])
        let t = try H.infer("MaxPool", [x], attributes: ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])])[0]
        #expect(t.shape == [.symbol("N"), .value(64), .value(56), .unknown])
        let g = try H.infer("GlobalAveragePool", [x])[0]
        #expect(g.shape == [.symbol("N"), .value(64), .value(1), .value(1)])
    }
}
