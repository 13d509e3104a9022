import Testing
import InferIR
import InferRuntime

private typealias H = TensorOpHarness

/// Compile-time shape inference: symbolic dims, unknown values, known ranks.
@Suite struct TensorOpShapeInferenceTests {
    let nx = ValueType(dtype: .float32, shape: [.symbol("N"), .value(3), .value(4)])
    let shape3 = ValueType(dtype: .int64, dims: [3])

    @Test func reshapeUnknownShapeValueKeepsRank() throws {
        let t = try H.infer("Reshape", types: [nx, shape3])
        #expect(t[0].shape == [.unknown, .unknown, .unknown])
        let unknownLength = try H.infer("Reshape", types: [nx, ValueType(dtype: .int64, shape: [.symbol("k")])])
        #expect(unknownLength[0].shape == nil)
    }

    @Test func reshapeKnownShapeWithSymbols() throws {
        let a = try H.infer("Reshape", types: [nx, shape3], values: [nil, H.ints([0, -1, 2])])
        #expect(a[0].shape == [.symbol("N"), .value(6), .value(2)])
        let b = try H.infer("Reshape", types: [nx, shape3], values: [nil, H.ints([-1, 4, 3])])
        #expect(b[0].shape == [.unknown, .value(4), .value(3)])
        #expect(throws: InferError.self) { try H.infer("Reshape", types: [ValueType(dtype: .float32, dims: [2, 3]), shape3], values: [nil, H.ints([5, 1, 1])]) }
    }

    @Test func shapeOfSymbolicValue() throws {
        let t = try H.infer("Shape", types: [nx])
        #expect(t[0] == ValueType(dtype: .int64, dims: [3]))
        let s = try H.infer("Shape", opset: 15, types: [nx], ["start": .int(-2)])
        #expect(s[0] == ValueType(dtype: .int64, dims: [2]))
    }

    @Test func layoutOpsPropagateSymbols() throws {
        #expect(try H.infer("Transpose", types: [nx], ["perm": .ints([2, 0, 1])])[0].shape == [.value(4), .symbol("N"), .value(3)])
        let c = try H.infer("Concat", types: [nx, ValueType(dtype: .float32, shape: [.symbol("N"), .value(3), .value(5)])], ["axis": .int(-1)])
        #expect(c[0].shape == [.symbol("N"), .value(3), .value(9)])
        let c2 = try H.infer("Concat", types: [nx, nx], ["axis": .int(0)])
        #expect(c2[0].shape == [.unknown, .value(3), .value(4)])
        #expect(try H.infer("Unsqueeze", opset: 13, types: [nx, ValueType(dtype: .int64, dims: [1])])[0].shape == [.unknown, .unknown, .unknown, .unknown])
        #expect(try H.infer("Unsqueeze", opset: 13, types: [nx, ValueType(dtype: .int64, dims: [1])], values: [nil, H.ints([1])])[0].shape
                == [.symbol("N"), .value(1), .value(3), .value(4)])
        #expect(try H.infer("Squeeze", opset: 13, types: [nx]).first?.shape == nil)
        #expect(try H.infer("Flatten", types: [nx])[0].shape == [.symbol("N"), .value(12)])
        #expect(try H.infer("Flatten", types: [nx], ["axis": .int(2)])[0].shape == [.unknown, .value(4)])
        let s = try H.infer("Slice", opset: 13, types: [nx, shape3, shape3], values: [nil, H.ints([0, 1, 0]), H.ints([Int(Int64.max), 3, -1])])
        #expect(s[0].shape == [.symbol("N"), .value(2), .value(3)])
        let s2 = try H.infer("Slice", opset: 13, types: [nx, shape3, shape3, shape3])
        #expect(s2[0].shape == [.unknown, .unknown, .unknown])
        let e = try H.infer("Expand", types: [ValueType(dtype: .float32, dims: [3, 1]), ValueType(dtype: .int64, dims: [3])])
        #expect(e[0].shape == [.unknown, .value(3), .unknown])
        let sp = try H.infer("Split", opset: 18, types: [nx], ["axis": .int(2), "num_outputs": .int(3)], outputs: 3)
        #expect(sp.map(\.shape) == [[.symbol("N"), .value(3), .value(2)], [.symbol("N"), .value(3), .value(2)], [.symbol("N"), .value(3), .value(0)]])
        let g = try H.infer("Gather", types: [nx, ValueType(dtype: .int64, shape: [.symbol("B"), .value(2)])], ["axis": .int(1)])
        #expect(g[0].shape == [.symbol("N"), .symbol("B"), .value(2), .value(4)])
    }

    @Test func generatorsAtCompileTime() throws {
        let c = try H.infer("ConstantOfShape", types: [shape3])
        #expect(c[0] == ValueType(dtype: .float32, shape: [.unknown, .unknown, .unknown]))
        let r = try H.infer("Range", types: [ValueType(dtype: .int64, dims: []), ValueType(dtype: .int64, dims: []), ValueType(dtype: .int64, dims: [])])
        #expect(r[0].shape == [.unknown])
        let nz = try H.infer("NonZero", types: [nx])
        #expect(nz[0].shape == [.value(3), .unknown])
        let nzKnown = try H.infer("NonZero", types: [ValueType(dtype: .float32, dims: [3])], values: [H.floats([3], [0, 1, 2])])
        #expect(nzKnown[0] == ValueType(dtype: .int64, dims: [1, 2]))
        #expect(try H.infer("Constant", types: [], ["value_ints": .ints([1, 2, 3])])[0] == ValueType(dtype: .int64, dims: [3]))
        #expect(throws: InferError.self) { try H.infer("ConstantOfShape", types: [shape3], values: [H.ints([1 << 20, 1 << 20, 1 << 20])]) }
        #expect(throws: InferError.self) { try H.infer("Expand", types: [nx, shape3], values: [nil, H.ints([1 << 62, 3, 4])]) }
    }

    @Test func dropoutTrainingAtCompileTime() throws {
        let types: [ValueType?] = [nx, nil, ValueType(dtype: .bool, dims: [])]
        #expect(try H.infer("Dropout", opset: 13, types: types, outputs: 2).count == 2)
        #expect(throws: InferError.self) { try H.infer("Dropout", opset: 13, types: types, values: [nil, nil, Tensor(scalar: true)]) }
    }
}
