import Testing
import InferIR
import InferRuntime

private typealias H = TensorOpHarness

@Suite struct TensorOpIndexingTests {
    @Test(arguments: TensorOpHarness.allDTypes)
    func gatherEveryAxisWithNegativeIndices(dtype: DType) throws {
        let shape = [3, 4, 2]
        let x = H.sample(dtype, shape)
        let xv = x.doubleValues()
        for axis in [0, 1, -1] {
            let a = (axis + 3) % 3
            let raw = [[0, -1], [1, -shape[a]]]
            let idx = try Tensor(shape: [2, 2], scalars: raw.flatMap { $0 }.map(Int32.init))
            let y = try H.run1("Gather", [x, idx], ["axis": .int(axis)])
            var outShape = shape
            outShape.replaceSubrange(a...a, with: [2, 2])
            #expect(y.shape == outShape)
            let expected: [Double] = (0..<y.count).map { o in
                let m = H.multiIndex(o, outShape)
                let v = raw[m[a]][m[a + 1]]
                var src = Array(m[..<a]) + [v < 0 ? v + shape[a] : v] + Array(m[(a + 2)...])
                if src.count != 3 { src = [] }
                return xv[H.flatIndex(src, shape)]
            }
            #expect(y.doubleValues() == expected)
        }
        // Scalar index drops the axis.
        #expect(try H.run1("Gather", [x, Tensor(scalar: Int64(2))], ["axis": .int(0)]).shape == [4, 2])
    }

    @Test func gatherOutOfRangeThrows() {
        let x = H.iota([3, 2])
        H.expectInferError { _ = try H.run1("Gather", [x, H.ints([3])]) }
        H.expectInferError { _ = try H.run1("Gather", [x, H.ints([-4])]) }
        H.expectInferError { _ = try H.run1("Gather", [x, H.ints([0])], ["axis": .int(2)]) }
        H.expectInferError { _ = try H.run1("Gather", [x, H.floats([1], [0])]) }
    }

    @Test func gatherElementsAndScatterElements() throws {
        let x = H.iota([3, 3])
        let idx = try Tensor(shape: [2, 3], scalars: [Int64(1), 0, 2, -1, 2, 0])
        let y = try H.run1("GatherElements", [x, idx], ["axis": .int(0)])
        #expect(y.doubleValues() == [3, 1, 8, 6, 7, 2])
        let z = try H.run1("GatherElements", [x, Tensor(shape: [3, 1], scalars: [Int64(2), 0, 1])], ["axis": .int(1)])
        #expect(z.doubleValues() == [2, 3, 7])
        H.expectInferError { _ = try H.run1("GatherElements", [x, Tensor(shape: [1, 1], scalars: [Int64(3)])]) }

        let upd = H.floats([2, 3], [10, 20, 30, 40, 50, 60])
        let s = try H.run1("ScatterElements", opset: 13, [x, idx, upd], ["axis": .int(0)])
        #expect(s.doubleValues() == [0, 20, 60, 10, 4, 5, 40, 50, 30])
        let dup = try Tensor(shape: [1, 2], scalars: [Int64(1), 1])
        let add = try H.run1("ScatterElements", opset: 16, [x, dup, H.floats([1, 2], [5, 6])], ["axis": .int(1), "reduction": .string("add")])
        #expect(add.doubleValues() == [0, 12, 2, 3, 4, 5, 6, 7, 8])
        let mx = try H.run1("ScatterElements", opset: 18, [x, dup, H.floats([1, 2], [5, -6])], ["axis": .int(1), "reduction": .string("max")])
        #expect(mx.doubleValues()[1] == 5)
        H.expectInferError { _ = try H.run1("ScatterElements", opset: 16, [x, dup, H.floats([1, 2], [5, 6])], ["reduction": .string("max")]) }
    }

    @Test func gatherNDWithBatchDims() throws {
        let x = H.iota([2, 3, 4])
        let y = try H.run1("GatherND", opset: 12, [x, Tensor(shape: [2, 1, 2], scalars: [Int64(1), 0, 2, 1])], ["batch_dims": .int(1)])
        // NumPy reference: stack(d[b][tuple(i[b][0])]) = [4, 21]
        #expect(y.shape == [2, 1])
        #expect(y.doubleValues() == [4, 21])
        let z = try H.run1("GatherND", opset: 11, [x, Tensor(shape: [2, 1], scalars: [Int64(1), -2])])
        #expect(z.shape == [2, 3, 4])
        #expect(z.doubleValues() == (12..<24).map(Double.init) + (0..<12).map(Double.init))
        let w = try H.run1("GatherND", [x, Tensor(shape: [2, 3], scalars: [Int64(0), 1, 2, 1, 2, 3])])
        #expect(w.doubleValues() == [6, 23])
        H.expectInferError { _ = try H.run1("GatherND", [x, Tensor(shape: [1, 2], scalars: [Int64(2), 0])]) }
    }

    @Test(arguments: ["none", "add", "mul", "max", "min"])
    func scatterNDReductions(reduction: String) throws {
        for dtype in [DType.float32, .float64, .int64, .int32, .int8, .uint8, .bool] {
            let data = H.tensor(dtype, [4, 2], [1, 2, 3, 4, 5, 6, 7, 0])
            let idx = try Tensor(shape: [3, 1], scalars: [Int64(1), -1, 1])
            let upd = H.tensor(dtype, [3, 2], [2, 2, 1, 3, 3, 0])
            let y = try H.run1("ScatterND", opset: 18, [data, idx, upd], ["reduction": .string(reduction)])
            var ref = data.doubleValues()
            let u = upd.doubleValues()
            for (k, row) in [1, 3, 1].enumerated() {
                for j in 0..<2 {
                    let (a, b) = (ref[row * 2 + j], u[k * 2 + j])
                    switch reduction {
                    case "add": ref[row * 2 + j] = dtype == .bool ? ((a != 0 || b != 0) ? 1 : 0) : a + b
                    case "mul": ref[row * 2 + j] = dtype == .bool ? ((a != 0 && b != 0) ? 1 : 0) : a * b
                    case "max": ref[row * 2 + j] = max(a, b)
                    case "min": ref[row * 2 + j] = min(a, b)
                    default: ref[row * 2 + j] = b
                    }
                }
            }
            #expect(y.doubleValues() == ref, "\(dtype) \(reduction)")
        }
        H.expectInferError { _ = try H.run1("ScatterND", [H.iota([2]), Tensor(shape: [1, 1], scalars: [Int64(2)]), H.floats([1], [1])]) }
        H.expectInferError { _ = try H.run1("ScatterND", [H.iota([2]), Tensor(shape: [1, 1], scalars: [Int64(0)]), H.floats([2], [1, 1])]) }
    }

    @Test func oneHotAxesAndOutOfRange() throws {
        let idx = try Tensor(shape: [3], scalars: [Int64(0), -1, 5])
        let values = H.floats([2], [-1, 7])
        let y = try H.run1("OneHot", opset: 11, [idx, Tensor(scalar: Float(3)), values])
        #expect(y.shape == [3, 3])
        #expect(y.doubleValues() == [7, -1, -1, -1, -1, 7, -1, -1, -1])
        let z = try H.run1("OneHot", opset: 11, [idx, Tensor(scalar: Int64(3)), Tensor(shape: [2], scalars: [Int32(0), 1])], ["axis": .int(0)])
        #expect(z.shape == [3, 3] && z.dtype == .int32)
        #expect(z.doubleValues() == [1, 0, 0, 0, 0, 0, 0, 1, 0])
        H.expectInferError { _ = try H.run1("OneHot", opset: 11, [idx, Tensor(scalar: Int64(0)), values]) }
    }

    @Test(arguments: TensorOpHarness.allDTypes)
    func nonZeroReturnsCoordinates(dtype: DType) throws {
        let x = H.tensor(dtype, [2, 3], [0, 1, 0, 2, 0, 3])
        let y = try H.run1("NonZero", [x])
        #expect(y.shape == [2, 3])
        #expect(y.doubleValues() == [0, 1, 1, 1, 0, 2])
        #expect(try H.run1("NonZero", [H.tensor(dtype, [0, 2], [])]).shape == [2, 0])
        #expect(try H.run1("NonZero", [H.tensor(dtype, [], [1])]).shape == [1, 1])
    }
}
