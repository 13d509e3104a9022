import Testing
import InferIR
import InferRuntime

private typealias H = TensorOpHarness

@Suite struct TensorOpGeneratorTests {
    @Test func shapeWithStartEnd() throws {
        let x = H.iota([2, 3, 4, 5])
        #expect(try H.run1("Shape", [x]).doubleValues() == [2, 3, 4, 5])
        #expect(try H.run1("Shape", opset: 15, [x], ["start": .int(1), "end": .int(-1)]).doubleValues() == [3, 4])
        #expect(try H.run1("Shape", opset: 15, [x], ["start": .int(-10), "end": .int(100)]).doubleValues() == [2, 3, 4, 5])
        #expect(try H.run1("Shape", opset: 15, [x], ["start": .int(3), "end": .int(1)]).shape == [0])
        #expect(try H.run1("Size", [x]).doubleValues() == [120])
        #expect(try H.run1("Size", [x]).shape == [])
    }

    @Test func constantOfShape() throws {
        let y = try H.run1("ConstantOfShape", [H.ints([2, 3])])
        #expect(y.dtype == .float32 && y.shape == [2, 3] && y.doubleValues().allSatisfy { $0 == 0 })
        let z = try H.run1("ConstantOfShape", [H.ints([4])], ["value": .tensor(Tensor(shape: [1], scalars: [Int32(-7)]))])
        #expect(z.dtype == .int32 && z.doubleValues() == [-7, -7, -7, -7])
        #expect(try H.run1("ConstantOfShape", [H.ints([])]).shape == [])
        #expect(try H.run1("ConstantOfShape", [H.ints([0, 5])]).shape == [0, 5])
        H.expectInferError { _ = try H.run1("ConstantOfShape", [H.ints([1_000_000, 1_000_000])]) }
        H.expectInferError { _ = try H.run1("ConstantOfShape", [H.ints([Int(Int64.max), Int(Int64.max)])]) }
        H.expectInferError { _ = try H.run1("ConstantOfShape", [H.ints([-1])]) }
    }

    @Test func constantAttributes() throws {
        let t = try Tensor(shape: [2], scalars: [Int8(3), -4])
        #expect(try H.run1("Constant", [], ["value": .tensor(t)]) == t)
        #expect(try H.run1("Constant", [], ["value_float": .float(1.5)]) == Tensor(scalar: Float(1.5)))
        #expect(try H.run1("Constant", [], ["value_floats": .floats([1, 2])]) == H.floats([2], [1, 2]))
        #expect(try H.run1("Constant", [], ["value_int": .int(7)]) == Tensor(scalar: Int64(7)))
        #expect(try H.run1("Constant", [], ["value_ints": .ints([7, 8])]) == H.ints([7, 8]))
        #expect(throws: InferError.self) { _ = try H.run1("Constant", [], ["value_string": .string("x")]) }
        do {
            _ = try H.run1("Constant", [], ["value_string": .string("x")])
        } catch let e as InferError {
            #expect(e.kind == .unsupportedFeature && e.message.contains("value_string"))
        }
        H.expectInferError { _ = try H.run1("Constant", [], [:]) }
    }

    @Test func rangeAllTypes() throws {
        #expect(try H.run1("Range", [Tensor(scalar: Float(1)), Tensor(scalar: Float(2.2)), Tensor(scalar: Float(0.5))]).doubleValues() == [1, 1.5, 2])
        #expect(try H.run1("Range", [Tensor(scalar: 10.0), Tensor(scalar: 4.0), Tensor(scalar: -2.0)]).doubleValues() == [10, 8, 6])
        #expect(try H.run1("Range", [Tensor(scalar: Int64(3)), Tensor(scalar: Int64(9)), Tensor(scalar: Int64(3))]).doubleValues() == [3, 6])
        #expect(try H.run1("Range", [Tensor(scalar: Int32(-3)), Tensor(scalar: Int32(4)), Tensor(scalar: Int32(2))]).doubleValues() == [-3, -1, 1, 3])
        #expect(try H.run1("Range", [Tensor(scalar: Int32(5)), Tensor(scalar: Int32(1)), Tensor(scalar: Int32(1))]).shape == [0])
        H.expectInferError { _ = try H.run1("Range", [Tensor(scalar: Int64(0)), Tensor(scalar: Int64(1)), Tensor(scalar: Int64(0))]) }
        H.expectInferError { _ = try H.run1("Range", [Tensor(scalar: Int64(0)), Tensor(scalar: Int64(1_000_000_000_000)), Tensor(scalar: Int64(1))]) }
        H.expectInferError { _ = try H.run1("Range", [Tensor(scalar: Int64.min), Tensor(scalar: Int64.max), Tensor(scalar: Int64(1))]) }
        H.expectInferError { _ = try H.run1("Range", [Tensor(scalar: Float(0)), Tensor(scalar: Float.infinity), Tensor(scalar: Float(1))]) }
        H.expectInferError { _ = try H.run1("Range", [Tensor(scalar: Float(0)), Tensor(scalar: Float(1e12)), Tensor(scalar: Float(1))]) }
        H.expectInferError { _ = try H.run1("Range", [Tensor(scalar: UInt8(0)), Tensor(scalar: UInt8(3)), Tensor(scalar: UInt8(1))]) }
    }
}
