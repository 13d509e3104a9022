import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

/// Runs one node the way the executor does: shape inference on concrete inputs, zeroed
/// outputs, then the kernel binding. Shared by the MatMul/Gemm/Conv/Pool test files.
enum LinalgConvHarness {
    static func run(_ op: String, opset: Int = 17, _ inputs: [Tensor?], attributes: [String: Attribute] = [:],
                    outputs: [String] = ["y"], threads: Int = 1) throws -> [Tensor] {
        let names = inputs.enumerated().map { $0.element == nil ? "" : "x\($0.offset)" }
        let node = Node(name: "t", opType: op, inputs: names, outputs: outputs, attributes: attributes)
        let schema = try #require(OperatorRegistry.schema(for: node))
        let binding = try #require(LoweringTable.binding(for: node))
        let ctx = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
        let types = try schema.inferTypes(ctx)
        let outs = try types.map { try Tensor.zeros($0.dtype, shape: try #require($0.staticDims)) }
        try binding.run(KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs, threads: threads))
        return outs
    }

    /// Shape inference alone, on declared (possibly symbolic) types.
    static func infer(_ op: String, opset: Int = 17, _ types: [ValueType?], attributes: [String: Attribute] = [:]) throws -> [ValueType] {
        let node = Node(name: "t", opType: op, inputs: types.enumerated().map { $0.element == nil ? "" : "x\($0.offset)" },
                        outputs: ["y"], attributes: attributes)
        let schema = try #require(OperatorRegistry.schema(for: node))
        return try schema.inferTypes(ShapeContext(node: node, opset: opset, inputTypes: types,
                                                  inputValues: Array(repeating: nil, count: types.count)))
    }

    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int((state >> 33) % 2000) - 1000) / 1000
        }
    }

    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor(shape: shape, exactly: values(shape.reduce(1, *), seed: seed))
    }

    static func expectClose(_ actual: Tensor, _ expected: [Double], shape: [Int], tolerance: Double = 1e-4,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.shape == shape, sourceLocation: sourceLocation)
        let got = actual.doubleValues()
        #expect(got.count == expected.count, sourceLocation: sourceLocation)
        let worst = zip(got, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst <= tolerance, "largest relative error \(worst)", sourceLocation: sourceLocation)
    }
}

/// numpy.matmul on doubles, written plainly: the reference.
private func naiveMatMul(_ a: [Double], _ aShape: [Int], _ b: [Double], _ bShape: [Int]) -> ([Double], [Int]) {
    let a2 = aShape.count == 1 ? [1] + aShape : aShape
    let b2 = bShape.count == 1 ? bShape + [1] : bShape
    let m = a2[a2.count - 2], k = a2[a2.count - 1], n = b2[b2.count - 1]
    let aBatch = Array(a2.dropLast(2)), bBatch = Array(b2.dropLast(2))
    let outBatch = Broadcasting.shape(aBatch, bBatch)!
    let batches = outBatch.reduce(1, *)
    var out: [Double] = []
    for bi in 0..<batches {
        // Unravel bi over outBatch, then map to A's and B's batch index (1-dims repeat).
        var rem = bi, idx = [Int](repeating: 0, count: outBatch.count)
        for d in stride(from: outBatch.count - 1, through: 0, by: -1) { idx[d] = rem % outBatch[d]; rem /= outBatch[d] }
        func flat(_ shape: [Int]) -> Int {
            var f = 0
            for (d, size) in shape.enumerated() { f = f * size + (size == 1 ? 0 : idx[d + outBatch.count - shape.count]) }
            return f
        }
        let ao = flat(aBatch) * m * k, bo = flat(bBatch) * k * n
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += a[ao + i * k + p] * b[bo + p * n + j] }
            out.append(s)
        } }
    }
    var shape = outBatch
    if aShape.count > 1 { shape.append(m) }
    if bShape.count > 1 { shape.append(n) }
    return (out, shape)
}

@Suite struct MatMulTests {
    typealias H = LinalgConvHarness

    @Test(arguments: [
        ([2, 1, 3, 4], [5, 4, 2]),
        ([3, 4], [4, 5]),
        ([1, 4], [4, 7]),       // M == 1: GEMV path
        ([3, 4], [4, 1]),       // N == 1: GEMV path
        ([4], [4, 3]),          // 1-D A
        ([3, 4], [4]),          // 1-D B
        ([4], [4]),             // dot product, rank-0 result
        ([2, 3, 4], [4, 5]),    // B shared: batches fold into M
        ([4, 3], [2, 3, 6]),    // A shared across B's batches
        ([2, 1, 1, 4], [3, 4, 2]),  // M == 1 per broadcast batch
        ([5], [2, 5, 3]),
        ([2, 5], [5]),
        ([2, 0, 4], [4, 3]),    // empty M
        ([2, 3, 0], [0, 3]),    // K == 0: zeros
    ])
    func float32MatchesNaive(aShape: [Int], bShape: [Int]) throws {
        let a = H.random(aShape, seed: 1), b = H.random(bShape, seed: 2)
        let y = try H.run("MatMul", [a, b])[0]
        let (expected, shape) = naiveMatMul(a.doubleValues(), aShape, b.doubleValues(), bShape)
        H.expectClose(y, expected, shape: shape)
    }

    @Test func float64MatchesNaive() throws {
        let av = H.values(2 * 3 * 4, seed: 3).map(Double.init), bv = H.values(4 * 2, seed: 4).map(Double.init)
        let a = try Tensor(shape: [2, 3, 4], scalars: av), b = try Tensor(shape: [4, 2], scalars: bv)
        let y = try H.run("MatMul", [a, b])[0]
        let (expected, shape) = naiveMatMul(av, [2, 3, 4], bv, [4, 2])
        H.expectClose(y, expected, shape: shape, tolerance: 1e-12)
        let v = try Tensor(shape: [4], scalars: Array(av[0..<4]))
        let y1 = try H.run("MatMul", [v, b])[0]   // M == 1 through dgemv
        H.expectClose(y1, naiveMatMul(Array(av[0..<4]), [4], bv, [4, 2]).0, shape: [2], tolerance: 1e-12)
    }

    @Test func integersMatchNaive() throws {
        let av: [Int64] = (0..<24).map { Int64($0 % 7) - 3 }, bv: [Int64] = (0..<20).map { Int64($0 % 5) - 2 }
        let y = try H.run("MatMul", [Tensor(shape: [2, 1, 3, 4], scalars: av), Tensor(shape: [5, 4, 1], scalars: Array(bv))])[0]
        let (expected, shape) = naiveMatMul(av.map(Double.init), [2, 1, 3, 4], bv.map(Double.init), [5, 4, 1])
        H.expectClose(y, expected, shape: shape, tolerance: 0)
        #expect(y.dtype == .int64)
        let a32 = try Tensor(shape: [2, 3], scalars: [Int32](arrayLiteral: 1, 2, 3, 4, 5, 6))
        let b32 = try Tensor(shape: [3], scalars: [Int32](arrayLiteral: 1, 0, -1))
        #expect(try H.run("MatMul", [a32, b32])[0].scalars(as: Int32.self) == [-2, -2])
    }

    @Test func mismatchedInnerDimensionThrows() {
        #expect(throws: InferError.self) { try H.run("MatMul", [H.random([2, 3], seed: 1), H.random([4, 2], seed: 2)]) }
        #expect(throws: InferError.self) { try H.run("MatMul", [H.random([3], seed: 1), H.random([4], seed: 2)]) }
        #expect(throws: InferError.self) { try H.run("MatMul", [H.random([2, 3, 4], seed: 1), H.random([3, 4, 2], seed: 2)]) }
        #expect(throws: InferError.self) { try H.run("MatMul", [H.random([2, 2], seed: 1), Tensor(shape: [2, 2], scalars: [Int64](repeating: 1, count: 4))]) }
        #expect(throws: InferError.self) {
            try H.run("MatMul", [Tensor(shape: [1, 1], scalars: [UInt8(1)]), Tensor(shape: [1, 1], scalars: [UInt8(1)])])
        }
    }

    @Test func symbolicShapesInfer() throws {
        let a = ValueType(dtype: .float32, shape: [.symbol("N"), .value(1), .value(3), .value(4)])
        let b = ValueType(dtype: .float32, shape: [.value(5), .value(4), .symbol("K")])
        let t = try H.infer("MatMul", [a, b])[0]
        #expect(t.shape == [.symbol("N"), .value(5), .value(3), .symbol("K")])
        let unknownRank = try H.infer("MatMul", [ValueType(dtype: .float32, shape: nil), b])[0]
        #expect(unknownRank.shape == nil)
    }
}
