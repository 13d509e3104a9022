import Testing
import InferIR
import InferRuntime

private typealias H = TensorOpHarness

@Suite struct TensorOpReshapeTests {
    @Test(arguments: TensorOpHarness.allDTypes)
    func reshapeKeepsBytesForEveryDType(dtype: DType) throws {
        let x = H.sample(dtype, [2, 3, 4])
        let y = try H.run1("Reshape", [x, H.ints([0, -1])])
        #expect(y.shape == [2, 12])
        #expect(y.bytes == x.bytes)
        #expect(y.dtype == dtype)
    }

    @Test func reshapeZeroCopiesDimAndAllowZeroKeepsIt() throws {
        let x = H.iota([0, 3])
        #expect(try H.run1("Reshape", opset: 14, [x, H.ints([3, 0])], ["allowzero": .int(1)]).shape == [3, 0])
        #expect(try H.run1("Reshape", opset: 14, [H.iota([2, 3]), H.ints([0, 3])]).shape == [2, 3])
        #expect(try H.run1("Reshape", [H.iota([1]), H.ints([])]).shape == [])
    }

    @Test func reshapeOpset1UsesAttribute() throws {
        #expect(try H.run1("Reshape", opset: 1, [H.iota([6])], ["shape": .ints([3, -1])]).shape == [3, 2])
    }

    @Test func reshapeBadInputsThrow() {
        H.expectInferError { _ = try H.run1("Reshape", [H.iota([2, 3]), H.ints([4, 2])]) }
        H.expectInferError { _ = try H.run1("Reshape", [H.iota([2, 3]), H.ints([-1, -1])]) }
        H.expectInferError { _ = try H.run1("Reshape", [H.iota([2, 3]), H.ints([5, -1])]) }
        H.expectInferError { _ = try H.run1("Reshape", [H.iota([2, 3]), H.ints([-2, 3])]) }
        H.expectInferError { _ = try H.run1("Reshape", [H.iota([2, 3]), H.ints([1_000_000, 1_000_000])]) }
        H.expectInferError { _ = try H.run1("Reshape", [H.iota([2, 3]), H.ints([Int(Int64.max), Int(Int64.max), -1])]) }
        H.expectInferError { _ = try H.run1("Reshape", opset: 14, [H.iota([0, 3]), H.ints([0, -1])], ["allowzero": .int(1)]) }
    }

    @Test func squeezeOpset11AttributeVsOpset13Input() throws {
        let x = H.iota([1, 3, 1, 2])
        #expect(try H.run1("Squeeze", opset: 11, [x], ["axes": .ints([-2])]).shape == [1, 3, 2])
        #expect(try H.run1("Squeeze", opset: 13, [x, H.ints([0, -2])]).shape == [3, 2])
        #expect(try H.run1("Squeeze", opset: 13, [x]).shape == [3, 2])
        #expect(try H.run1("Squeeze", opset: 11, [x]).shape == [3, 2])
        H.expectInferError { _ = try H.run1("Squeeze", opset: 13, [x, H.ints([1])]) }
        H.expectInferError { _ = try H.run1("Squeeze", opset: 13, [x, H.ints([4])]) }
    }

    @Test func unsqueezeNegativeAxes() throws {
        let x = H.iota([3, 2])
        #expect(try H.run1("Unsqueeze", opset: 11, [x], ["axes": .ints([0, -1])]).shape == [1, 3, 2, 1])
        #expect(try H.run1("Unsqueeze", opset: 13, [x, H.ints([1, -2])]).shape == [3, 1, 1, 2])
        #expect(try H.run1("Unsqueeze", opset: 13, [H.iota([]), H.ints([0])]).shape == [1])
        H.expectInferError { _ = try H.run1("Unsqueeze", opset: 13, [x, H.ints([1, 1])]) }
    }

    @Test func flattenAxes() throws {
        let x = H.iota([2, 3, 4])
        #expect(try H.run1("Flatten", [x]).shape == [2, 12])
        #expect(try H.run1("Flatten", [x], ["axis": .int(0)]).shape == [1, 24])
        #expect(try H.run1("Flatten", [x], ["axis": .int(3)]).shape == [24, 1])
        #expect(try H.run1("Flatten", opset: 13, [x], ["axis": .int(-1)]).shape == [6, 4])
        H.expectInferError { _ = try H.run1("Flatten", opset: 9, [x], ["axis": .int(-1)]) }
        H.expectInferError { _ = try H.run1("Flatten", [x], ["axis": .int(4)]) }
    }

    @Test func dropoutIsIdentityWithTrueMask() throws {
        let x = H.iota([2, 3])
        let outs = try H.run("Dropout", opset: 13, [x, Tensor(scalar: Float(0.5))], outputs: 2)
        #expect(outs[0] == x)
        #expect(outs[1].dtype == .bool && outs[1].shape == [2, 3])
        #expect(try outs[1].scalars(as: Bool.self).allSatisfy { $0 })
        #expect(try H.run1("Dropout", opset: 7, [x], ["ratio": .float(0.3)]) == x)
        #expect(try H.run1("Dropout", opset: 13, [x, nil, Tensor(scalar: false)]) == x)
        H.expectInferError { _ = try H.run1("Dropout", opset: 13, [x, nil, Tensor(scalar: true)]) }
    }
}
