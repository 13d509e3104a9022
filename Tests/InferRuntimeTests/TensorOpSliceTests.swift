import Testing
import InferIR
import InferRuntime

private typealias H = TensorOpHarness

/// Naive Python-style slice of one dim, written independently of the engine's clamping code.
private func pythonSliceIndices(start: Int, end: Int, step: Int, dim: Int) -> [Int] {
    var s = start < 0 ? start + dim : start
    var e = end < 0 ? end + dim : end
    var out: [Int] = []
    if step > 0 {
        s = min(max(s, 0), dim); e = min(max(e, 0), dim)
        var i = s
        while i < e { out.append(i); i += step }
    } else {
        s = min(max(s, -1), dim - 1); e = min(max(e, -1), dim - 1)
        var i = s
        while i > e { out.append(i); i += step }
    }
    return out
}

@Suite struct TensorOpSliceTests {
    static let sliceCases: [(starts: [Int], ends: [Int], axes: [Int], steps: [Int])] = [
        ([0], [2], [0], [1]), ([1, -3], [100, -1], [1, 2], [1, 1]), ([-1], [Int(Int64.min)], [-1], [-1]),
        ([10, -1], [-10, -100], [0, 1], [-1, -2]), ([0, 0, 0], [Int(Int64.max), Int(Int64.max), Int(Int64.max)], [0, 1, 2], [2, 2, 3]),
        ([3], [1], [2], [1]), ([2], [0], [2], [-5]), ([0], [4], [2], [Int(Int64.max)]), ([3], [0], [2], [Int(Int64.min)]),
    ]

    @Test(arguments: sliceCases)
    func sliceMatchesPythonSemantics(starts: [Int], ends: [Int], axes: [Int], steps: [Int]) throws {
        let shape = [2, 3, 4]
        let x = H.iota(shape)
        let y = try H.run1("Slice", opset: 13, [x, H.ints(starts), H.ints(ends), H.ints(axes), H.ints(steps)])
        var picks = shape.map { Array(0..<$0) }
        for k in 0..<axes.count {
            let a = axes[k] < 0 ? axes[k] + 3 : axes[k]
            picks[a] = pythonSliceIndices(start: starts[k], end: ends[k], step: steps[k], dim: shape[a])
        }
        #expect(y.shape == picks.map(\.count))
        var expected: [Double] = []
        for i in picks[0] { for j in picks[1] { for k in picks[2] { expected.append(Double(H.flatIndex([i, j, k], shape))) } } }
        #expect(y.doubleValues() == expected)
    }

    @Test func sliceKnownNumpyCases() throws {
        let x = H.iota([2, 3, 4])
        // x[::-1, -1:-10:-2, 1:100] computed with NumPy.
        let y = try H.run1("Slice", opset: 10, [x, H.ints([-1, -1, 1]), H.ints([Int(Int64.min), -10, 100]), nil, H.ints([-1, -2, 1])])
        #expect(y.shape == [2, 2, 3])
        #expect(y.doubleValues() == [21, 22, 23, 13, 14, 15, 9, 10, 11, 1, 2, 3])
        // Opset 1: attributes, no steps; x[:, 1:, ...] with axes omitted on the last dim.
        let z = try H.run1("Slice", opset: 1, [x], ["starts": .ints([1]), "ends": .ints([1000]), "axes": .ints([1])])
        #expect(z.shape == [2, 2, 4])
        #expect(z.doubleValues() == [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        // x[:, 1:, ::3] (NumPy)
        let w = try H.run1("Slice", opset: 13, [x, H.ints([1, 0]), H.ints([3, 4]), H.ints([1, 2]), H.ints([1, 3])])
        #expect(w.doubleValues() == [4, 7, 8, 11, 16, 19, 20, 23])
    }

    @Test(arguments: TensorOpHarness.allDTypes)
    func sliceEveryDType(dtype: DType) throws {
        let x = H.sample(dtype, [4, 5])
        let y = try H.run1("Slice", opset: 13, [x, H.ints([3, 1]), H.ints([0, 5]), H.ints([0, 1]), H.ints([-2, 2])])
        let xv = x.doubleValues()
        #expect(y.doubleValues() == [xv[16], xv[18], xv[6], xv[8]])
    }

    @Test func sliceBadParametersThrow() {
        let x = H.iota([2, 3])
        H.expectInferError { _ = try H.run1("Slice", opset: 13, [x, H.ints([0]), H.ints([1]), H.ints([0]), H.ints([0])]) }
        H.expectInferError { _ = try H.run1("Slice", opset: 13, [x, H.ints([0, 0]), H.ints([1])]) }
        H.expectInferError { _ = try H.run1("Slice", opset: 13, [x, H.ints([0]), H.ints([1]), H.ints([2])]) }
        H.expectInferError { _ = try H.run1("Slice", opset: 13, [x, H.ints([0, 0]), H.ints([1, 1]), H.ints([1, -1])]) }
    }

    @Test func padModesMatchNumpy() throws {
        let x = H.iota([2, 3])
        // np.pad(arange(6).reshape(2,3), ((1,1),(2,4)), mode=...), computed with NumPy.
        let expected: [String: [Double]] = [
            "reflect": [5, 4, 3, 4, 5, 4, 3, 4, 5, 2, 1, 0, 1, 2, 1, 0, 1, 2, 5, 4, 3, 4, 5, 4, 3, 4, 5, 2, 1, 0, 1, 2, 1, 0, 1, 2],
            "edge": [0, 0, 0, 1, 2, 2, 2, 2, 2, 0, 0, 0, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 5, 5, 5, 5, 5, 3, 3, 3, 4, 5, 5, 5, 5, 5],
            "wrap": [4, 5, 3, 4, 5, 3, 4, 5, 3, 1, 2, 0, 1, 2, 0, 1, 2, 0, 4, 5, 3, 4, 5, 3, 4, 5, 3, 1, 2, 0, 1, 2, 0, 1, 2, 0],
        ]
        for (mode, values) in expected {
            let y = try H.run1("Pad", opset: 19, [x, H.ints([1, 2, 1, 4])], ["mode": .string(mode)])
            #expect(y.shape == [4, 9])
            #expect(y.doubleValues() == values, "mode \(mode)")
        }
    }

    @Test func padConstantAxesAndNegativePads() throws {
        let x = H.iota([2, 3])
        let y = try H.run1("Pad", opset: 11, [x, H.ints([0, -1, 1, 1]), H.floats([], [9])])
        #expect(y.shape == [3, 3])
        #expect(y.doubleValues() == [1, 2, 9, 4, 5, 9, 9, 9, 9])
        let z = try H.run1("Pad", opset: 18, [x, H.ints([1, 0]), nil, H.ints([-1])])
        #expect(z.doubleValues() == [0, 0, 1, 2, 0, 3, 4, 5])
        let old = try H.run1("Pad", opset: 2, [x], ["pads": .ints([1, 0, 0, 0]), "value": .float(7)])
        #expect(old.doubleValues() == [7, 7, 7, 0, 1, 2, 3, 4, 5])
        for dtype in TensorOpHarness.allDTypes {
            let t = try H.run1("Pad", opset: 13, [H.sample(dtype, [2]), H.ints([1, 1]), nil], ["mode": .string("edge")])
            #expect(t.doubleValues() == [1, 1, dtype == .bool ? 0 : 2, dtype == .bool ? 0 : 2])
        }
        H.expectInferError { _ = try H.run1("Pad", opset: 13, [x, H.ints([1, 1])]) }
        H.expectInferError { _ = try H.run1("Pad", opset: 13, [x, H.ints([0, -4, 0, 0])]) }
        H.expectInferError { _ = try H.run1("Pad", opset: 13, [x, H.ints([0, 0, 0, 0])], ["mode": .string("wrap")]) }
        H.expectInferError { _ = try H.run1("Pad", opset: 19, [H.iota([0, 2]), H.ints([1, 0, 0, 0])], ["mode": .string("reflect")]) }
    }
}
