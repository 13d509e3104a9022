import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// DFT (opsets 17 and 20), STFT and MelWeightMatrix against a naive complex DFT written here.

fileprivate func runNode(_ op: String, opset: Int, _ inputs: [Tensor?], _ attributes: [String: Attribute] = [:]) throws -> Tensor {
    let node = Node(name: "n", opType: op, inputs: inputs.indices.map { inputs[$0] == nil ? "" : "in\($0)" }, outputs: ["out"], attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs))
    return outs[0]
}

fileprivate func close(_ a: [Double], _ b: [Double], atol: Double = 1e-9) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in abs(x - y) <= atol + 1e-9 * abs(y) }
}

/// Naive DFT of one complex line, zero padded or truncated to n.
fileprivate func naiveDFT(_ re: [Double], _ im: [Double], n: Int, inverse: Bool) -> ([Double], [Double]) {
    var outRe = [Double](repeating: 0, count: n), outIm = outRe
    let sign = inverse ? 1.0 : -1.0
    for k in 0..<n {
        for t in 0..<min(n, re.count) {
            let a = sign * 2 * Double.pi * Double(k * t) / Double(n)
            outRe[k] += re[t] * cos(a) - im[t] * sin(a)
            outIm[k] += re[t] * sin(a) + im[t] * cos(a)
        }
        if inverse { outRe[k] /= Double(n); outIm[k] /= Double(n) }
    }
    return (outRe, outIm)
}

@Suite struct SpectralTests {
    /// x [2, L, 3, c] in Double; checks every line along axis 1 for several lengths and both opsets.
    @Test func dftMatchesNaive() throws {
        let L = 6
        for components in [1, 2] {
            let values = (0..<(2 * L * 3 * components)).map { sin(Double($0) * 0.7) * 3 }
            let x = try Tensor(shape: [2, L, 3, components], scalars: values)
            for (length, onesided, inverse) in [(6, false, false), (6, true, false), (4, false, false), (9, true, false), (6, false, true), (8, false, true)] {
                if onesided && components == 2 { continue }
                var attrs: [String: Attribute] = ["onesided": .int(onesided ? 1 : 0), "inverse": .int(inverse ? 1 : 0)]
                let lengthTensor = Tensor(scalar: Int64(length))
                let y20 = try runNode("DFT", opset: 20, [x, lengthTensor, Tensor(scalar: Int64(-3))], attrs)
                attrs["axis"] = .int(1)
                let y17 = try runNode("DFT", opset: 17, [x, lengthTensor], attrs)
                let outLength = onesided ? length / 2 + 1 : length
                #expect(y20.shape == [2, outLength, 3, 2] && y17.shape == y20.shape)
                var expected = [Double](repeating: 0, count: 2 * outLength * 3 * 2)
                for b in 0..<2 {
                    for i in 0..<3 {
                        let re = (0..<L).map { values[((b * L + $0) * 3 + i) * components] }
                        let im = (0..<L).map { components == 2 ? values[((b * L + $0) * 3 + i) * 2 + 1] : 0 }
                        let (r, m) = naiveDFT(re, im, n: length, inverse: inverse)
                        for k in 0..<outLength {
                            expected[((b * outLength + k) * 3 + i) * 2] = r[k]
                            expected[((b * outLength + k) * 3 + i) * 2 + 1] = m[k]
                        }
                    }
                }
                #expect(close(y20.doubleValues(), expected) && close(y17.doubleValues(), expected),
                        "c\(components) n\(length) onesided \(onesided) inverse \(inverse)")
            }
        }
    }

    @Test func inverseOnesidedRoundTrips() throws {
        for n in [6, 7] {
            let signal = (0..<n).map { cos(Double($0) * 1.3) + 0.25 * Double($0) }
            let x = try Tensor(shape: [1, n, 1], scalars: signal)
            let spectrum = try runNode("DFT", opset: 20, [x, nil, nil], ["onesided": .int(1)])
            #expect(spectrum.shape == [1, n / 2 + 1, 2])
            let back = try runNode("DFT", opset: 20, [spectrum, Tensor(scalar: Int64(n)), nil], ["onesided": .int(1), "inverse": .int(1)])
            #expect(back.shape == [1, n, 1] && close(back.doubleValues(), signal, atol: 1e-12), "n \(n)")
        }
    }

    @Test func stftFramesAndWindows() throws {
        let length = 20, frame = 8, step = 4
        let values = (0..<length).map { Float(sin(Double($0) * 0.9)) }
        let x = try Tensor(shape: [1, length, 1], scalars: values)
        let window = (0..<frame).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(frame))) }
        let y = try runNode("STFT", opset: 17, [x, Tensor(scalar: Int64(step)), Tensor(shape: [frame], scalars: window)])
        let frames = 1 + (length - frame) / step, bins = frame / 2 + 1
        #expect(y.shape == [1, frames, bins, 2])
        var expected: [Double] = []
        for f in 0..<frames {
            let re = (0..<frame).map { Double(values[f * step + $0]) * Double(window[$0]) }
            let (r, m) = naiveDFT(re, [Double](repeating: 0, count: frame), n: frame, inverse: false)
            for k in 0..<bins { expected += [r[k], m[k]] }
        }
        #expect(close(y.doubleValues(), expected, atol: 1e-5))
        // frame_length without a window, two-sided.
        let y2 = try runNode("STFT", opset: 17, [x, Tensor(scalar: Int64(step)), nil, Tensor(scalar: Int64(frame))], ["onesided": .int(0)])
        #expect(y2.shape == [1, frames, frame, 2])
        #expect(throws: InferError.self) {
            try runNode("STFT", opset: 17, [x, Tensor(scalar: Int64(step)), Tensor(shape: [frame], scalars: window), Tensor(scalar: Int64(6))])
        }
    }

    @Test func melWeightMatrixShapeAndTriangles() throws {
        let y = try runNode("MelWeightMatrix", opset: 17, [Tensor(scalar: Int64(8)), Tensor(scalar: Int64(64)), Tensor(scalar: Int64(8000)),
                                                           Tensor(scalar: Float(0)), Tensor(scalar: Float(4000))])
        #expect(y.shape == [33, 8] && y.dtype == .float32)
        let v = y.doubleValues()
        for m in 0..<8 {
            let column = (0..<33).map { v[$0 * 8 + m] }
            #expect(column.max() == 1 && column.allSatisfy { $0 >= 0 && $0 <= 1 }, "filter \(m)")
        }
        #expect(throws: InferError.self) {
            try runNode("DFT", opset: 20, [Tensor(shape: [4, 3], scalars: [Float](repeating: 0, count: 12))])
        }
    }
}
