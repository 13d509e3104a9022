import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

/// Every index tuple of `shape`, row-major.
func allIndices(_ shape: [Int]) -> [[Int]] {
    var result: [[Int]] = [[]]
    for size in shape { result = result.flatMap { prefix in (0..<size).map { prefix + [$0] } } }
    return result
}

/// Input position that output position `o` sees through kernel tap `k`.
func windowPosition(_ o: [Int], _ k: [Int], _ strides: [Int], _ pads: [Int], _ dilations: [Int]) -> [Int] {
    var pos: [Int] = []
    for d in 0..<o.count {
        let start: Int = o[d] * strides[d] - pads[d]
        pos.append(start + k[d] * dilations[d])
    }
    return pos
}

func flatIndex(_ index: [Int], _ shape: [Int]) -> Int { zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 } }

/// Direct convolution straight from the ONNX definition, on doubles.
func naiveConv(x: Tensor, w: Tensor, bias: Tensor?, group: Int, strides: [Int], padsBegin: [Int],
               dilations: [Int], outSpatial: [Int]) -> ([Double], [Int]) {
    let xv = x.doubleValues(), wv = w.doubleValues(), bv = bias?.doubleValues()
    let n = x.shape[0], c = x.shape[1], m = w.shape[0], cg = c / group, mg = m / group
    let inSpatial = Array(x.shape.dropFirst(2)), kernel = Array(w.shape.dropFirst(2))
    var out: [Double] = []
    for b in 0..<n { for oc in 0..<m {
        let g = oc / mg
        for o in allIndices(outSpatial) {
            var s = bv?[oc] ?? 0
            for ic in 0..<cg { for k in allIndices(kernel) {
                let pos = windowPosition(o, k, strides, padsBegin, dilations)
                if zip(pos, inSpatial).contains(where: { $0 < 0 || $0 >= $1 }) { continue }
                s += xv[flatIndex([b, g * cg + ic] + pos, x.shape)] * wv[flatIndex([oc, ic] + k, w.shape)]
            } }
            out.append(s)
        }
    } }
    return (out, [n, m] + outSpatial)
}

/// Transposed convolution as a scatter, straight from its definition, on doubles.
func naiveConvTranspose(x: Tensor, w: Tensor, bias: Tensor?, group: Int, strides: [Int], padsBegin: [Int],
                        dilations: [Int], outSpatial: [Int]) -> ([Double], [Int]) {
    let xv = x.doubleValues(), wv = w.doubleValues()
    let n = x.shape[0], c = x.shape[1], mg = w.shape[1], m = mg * group, cg = c / group
    let kernel = Array(w.shape.dropFirst(2)), shape = [n, m] + outSpatial
    var out = [Double](repeating: 0, count: shape.reduce(1, *))
    for b in 0..<n { for ic in 0..<c {
        let g = ic / cg
        for i in allIndices(Array(x.shape.dropFirst(2))) {
            let v = xv[flatIndex([b, ic] + i, x.shape)]
            for om in 0..<mg { for k in allIndices(kernel) {
                let pos = windowPosition(i, k, strides, padsBegin, dilations)
                if zip(pos, outSpatial).contains(where: { $0 < 0 || $0 >= $1 }) { continue }
                out[flatIndex([b, g * mg + om] + pos, shape)] += v * wv[flatIndex([ic, om] + k, w.shape)]
            } }
        }
    } }
    if let bv = bias?.doubleValues() {
        let plane = outSpatial.reduce(1, *)
        for i in 0..<out.count { out[i] += bv[(i / plane) % m] }
    }
    return (out, shape)
}

@Suite struct ConvTests {
    typealias H = LinalgConvHarness

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var x: [Int], w: [Int], bias: Bool = false, group = 1
        var strides: [Int]? = nil, pads: [Int]? = nil, dilations: [Int]? = nil, autoPad: String? = nil
        /// The pads the reference uses (begin), and the expected output spatial shape.
        var refPads: [Int], out: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "3x3 pad 1", x: [1, 2, 5, 5], w: [3, 2, 3, 3], pads: [1, 1, 1, 1], refPads: [1, 1], out: [5, 5]),
        Case(name: "stride 2, asymmetric pads, bias", x: [2, 3, 6, 7], w: [4, 3, 3, 2], bias: true, strides: [2, 2],
             pads: [0, 1, 1, 0], refPads: [0, 1], out: [3, 4]),
        Case(name: "dilation 2", x: [1, 2, 7, 7], w: [2, 2, 3, 3], dilations: [2, 2], refPads: [0, 0], out: [3, 3]),
        Case(name: "group 2", x: [1, 4, 5, 5], w: [6, 2, 3, 3], bias: true, group: 2, pads: [1, 1, 1, 1], refPads: [1, 1], out: [5, 5]),
        Case(name: "depthwise stride 2", x: [2, 3, 6, 6], w: [3, 1, 3, 3], bias: true, group: 3, strides: [2, 2],
             pads: [1, 1, 1, 1], refPads: [1, 1], out: [3, 3]),
        Case(name: "depthwise multiplier 2, dilation", x: [1, 3, 7, 6], w: [6, 1, 3, 3], group: 3,
             pads: [2, 1, 2, 1], dilations: [2, 1], refPads: [2, 1], out: [7, 6]),
        Case(name: "pointwise 1x1 with bias", x: [2, 5, 4, 3], w: [7, 5, 1, 1], bias: true, refPads: [0, 0], out: [4, 3]),
        Case(name: "pointwise grouped", x: [1, 4, 3, 3], w: [6, 2, 1, 1], group: 2, refPads: [0, 0], out: [3, 3]),
        Case(name: "1x1 stride 2", x: [1, 3, 5, 5], w: [2, 3, 1, 1], strides: [2, 2], refPads: [0, 0], out: [3, 3]),
        Case(name: "1x1 padded", x: [1, 2, 3, 3], w: [2, 2, 1, 1], pads: [1, 0, 0, 1], refPads: [1, 0], out: [4, 4]),
        Case(name: "1-D", x: [2, 3, 9], w: [4, 3, 3], bias: true, strides: [2], pads: [1, 2], refPads: [1], out: [5]),
        Case(name: "1-D depthwise", x: [1, 4, 8], w: [4, 1, 3], group: 4, pads: [1, 1], refPads: [1], out: [8]),
        Case(name: "3-D", x: [1, 2, 4, 5, 5], w: [3, 2, 2, 3, 3], strides: [1, 2, 2], pads: [0, 1, 1, 1, 1, 1],
             refPads: [0, 1, 1], out: [4, 3, 3]),
        Case(name: "SAME_UPPER even kernel", x: [1, 2, 5, 5], w: [2, 2, 2, 2], strides: [2, 2], autoPad: "SAME_UPPER",
             refPads: [0, 0], out: [3, 3]),
        Case(name: "SAME_LOWER even kernel", x: [1, 2, 5, 5], w: [2, 2, 2, 2], strides: [2, 2], autoPad: "SAME_LOWER",
             refPads: [1, 1], out: [3, 3]),
        Case(name: "SAME_UPPER 3x3 stride 1", x: [1, 2, 4, 6], w: [2, 2, 3, 3], autoPad: "SAME_UPPER", refPads: [1, 1], out: [4, 6]),
        Case(name: "VALID ignores pads", x: [1, 2, 6, 6], w: [2, 2, 3, 3], strides: [2, 2], pads: [1, 1, 1, 1], autoPad: "VALID",
             refPads: [0, 0], out: [2, 2]),
        Case(name: "batch 1 single output pixel", x: [1, 3, 3, 3], w: [5, 3, 3, 3], bias: true, refPads: [0, 0], out: [1, 1]),
    ]

    @Test(arguments: cases)
    func matchesNaive(c: Case) throws {
        let x = H.random(c.x, seed: 21), w = H.random(c.w, seed: 22)
        let bias = c.bias ? H.random([c.w[0]], seed: 23) : nil
        var attrs: [String: Attribute] = ["group": .int(c.group)]
        if let s = c.strides { attrs["strides"] = .ints(s) }
        if let p = c.pads { attrs["pads"] = .ints(p) }
        if let d = c.dilations { attrs["dilations"] = .ints(d) }
        if let a = c.autoPad { attrs["auto_pad"] = .string(a) }
        let r = c.x.count - 2
        let y = try H.run("Conv", [x, w, bias], attributes: attrs)[0]
        let (expected, shape) = naiveConv(x: x, w: w, bias: bias, group: c.group, strides: c.strides ?? Array(repeating: 1, count: r),
                                          padsBegin: c.refPads, dilations: c.dilations ?? Array(repeating: 1, count: r),
                                          outSpatial: c.out)
        H.expectClose(y, expected, shape: shape)
        // Same result with several threads (depthwise splits planes).
        let y2 = try H.run("Conv", [x, w, bias], attributes: attrs, threads: 2)[0]
        #expect(y2 == y)
    }

    @Test func explicitKernelShapeAndOldOpset() throws {
        let x = H.random([1, 2, 4, 4], seed: 1), w = H.random([3, 2, 3, 3], seed: 2)
        let y = try H.run("Conv", opset: 1, [x, w], attributes: ["kernel_shape": .ints([3, 3])])[0]
        H.expectClose(y, naiveConv(x: x, w: w, bias: nil, group: 1, strides: [1, 1], padsBegin: [0, 0],
                                   dilations: [1, 1], outSpatial: [2, 2]).0, shape: [1, 3, 2, 2])
    }

    @Test func badConvolutionsThrow() {
        let x = H.random([1, 4, 5, 5], seed: 1)
        // 4 channels are not divisible by group 3.
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([3, 1, 3, 3], seed: 2)], attributes: ["group": .int(3)]) }
        // W expects 3 input channels per group.
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([2, 3, 3, 3], seed: 2)]) }
        // Output channels not divisible by group.
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([3, 2, 3, 3], seed: 2)], attributes: ["group": .int(2)]) }
        #expect(throws: InferError.self) {
            try H.run("Conv", [x, H.random([2, 4, 3, 3], seed: 2)], attributes: ["kernel_shape": .ints([2, 2])])
        }
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([2, 4, 7, 7], seed: 2)]) }   // kernel larger than input
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([2, 4, 3, 3], seed: 2)], attributes: ["pads": .ints([1, 1])]) }
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([2, 4, 3, 3], seed: 2)], attributes: ["strides": .ints([0, 1])]) }
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([2, 4, 3, 3], seed: 2), H.random([3], seed: 3)]) }
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([2, 4, 3, 3], seed: 2)], attributes: ["auto_pad": .string("SAME")]) }
        #expect(throws: InferError.self) { try H.run("Conv", [x, H.random([2, 4, 3, 3], seed: 2)], attributes: ["dilations": .ints([Int.max, 1])]) }
        // Four spatial dims: not supported, but a clear error.
        #expect(throws: InferError.self) { try H.run("Conv", [H.random([1, 1, 2, 2, 2, 2], seed: 1), H.random([1, 1, 1, 1, 1, 1], seed: 2)]) }
    }

    @Test func symbolicBatchInfers() throws {
        let x = ValueType(dtype: .float32, shape: [.symbol("N"), .value(3), .unknown, .value(8)])
        let w = ValueType(dtype: .float32, dims: [4, 3, 3, 3])
        let t = try H.infer("Conv", [x, w], attributes: ["pads": .ints([1, 1, 1, 1]), "strides": .ints([2, 2])])[0]
        #expect(t.shape == [.symbol("N"), .value(4), .unknown, .value(4)])
    }

    struct TransposeCase: CustomTestStringConvertible, Sendable {
        var name: String
        var x: [Int], w: [Int], bias: Bool = false, group = 1
        var attrs: [String: [Int]] = [:]
        var autoPad: String? = nil
        var refStrides: [Int], refPads: [Int], refDilations: [Int], out: [Int]
        var testDescription: String { name }
    }

    static let transposeCases: [TransposeCase] = [
        TransposeCase(name: "stride 2 pads 1 output_padding 1", x: [1, 2, 3, 3], w: [2, 3, 3, 3], bias: true,
                      attrs: ["strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]],
                      refStrides: [2, 2], refPads: [1, 1], refDilations: [1, 1], out: [6, 6]),
        TransposeCase(name: "group 2 dilation 2", x: [2, 4, 3, 2], w: [4, 1, 2, 2], group: 2,
                      attrs: ["dilations": [2, 2]], refStrides: [1, 1], refPads: [0, 0], refDilations: [2, 2], out: [5, 4]),
        TransposeCase(name: "output_shape", x: [1, 1, 3, 3], w: [1, 2, 3, 3],
                      attrs: ["strides": [3, 2], "output_shape": [10, 8]],
                      refStrides: [3, 2], refPads: [0, 0], refDilations: [1, 1], out: [10, 8]),
        // Pads chosen as ONNX Runtime 1.32 and onnx.reference do (checked offline): a smaller
        // output_shape trims total/2 first for SAME_UPPER, the larger half otherwise.
        TransposeCase(name: "output_shape smaller, SAME_LOWER", x: [1, 1, 3], w: [1, 1, 3],
                      attrs: ["strides": [3], "output_shape": [8]], autoPad: "SAME_LOWER",
                      refStrides: [3], refPads: [1], refDilations: [1], out: [8]),
        TransposeCase(name: "output_shape smaller, SAME_UPPER", x: [1, 1, 3], w: [1, 1, 3],
                      attrs: ["strides": [3], "output_shape": [8]], autoPad: "SAME_UPPER",
                      refStrides: [3], refPads: [0], refDilations: [1], out: [8]),
        TransposeCase(name: "1-D", x: [1, 3, 4], w: [3, 2, 3], bias: true, attrs: ["strides": [2], "pads": [0, 1]],
                      refStrides: [2], refPads: [0], refDilations: [1], out: [8]),
        TransposeCase(name: "SAME_UPPER", x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: ["strides": [2, 2]], autoPad: "SAME_UPPER",
                      refStrides: [2, 2], refPads: [0, 0], refDilations: [1, 1], out: [6, 6]),
    ]

    @Test(arguments: transposeCases)
    func convTransposeMatchesNaive(c: TransposeCase) throws {
        let x = H.random(c.x, seed: 31), w = H.random(c.w, seed: 32)
        let bias = c.bias ? H.random([c.w[1] * c.group], seed: 33) : nil
        var attrs: [String: Attribute] = ["group": .int(c.group)]
        for (k, v) in c.attrs { attrs[k] = .ints(v) }
        if let a = c.autoPad { attrs["auto_pad"] = .string(a) }
        let y = try H.run("ConvTranspose", [x, w, bias], attributes: attrs)[0]
        let (expected, shape) = naiveConvTranspose(x: x, w: w, bias: bias, group: c.group, strides: c.refStrides,
                                                   padsBegin: c.refPads, dilations: c.refDilations, outSpatial: c.out)
        H.expectClose(y, expected, shape: shape)
    }

    @Test func convTransposeBadInputsThrow() {
        let x = H.random([1, 3, 3, 3], seed: 1)
        #expect(throws: InferError.self) { try H.run("ConvTranspose", [x, H.random([3, 2, 3, 3], seed: 2)], attributes: ["group": .int(2)]) }
        #expect(throws: InferError.self) { try H.run("ConvTranspose", [x, H.random([2, 2, 3, 3], seed: 2)]) }
        #expect(throws: InferError.self) {
            try H.run("ConvTranspose", [x, H.random([3, 2, 3, 3], seed: 2)], attributes: ["output_padding": .ints([1, 1])])
        }
    }
}
