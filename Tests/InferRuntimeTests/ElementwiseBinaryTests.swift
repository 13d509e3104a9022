import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// MARK: - Helpers shared by the Elementwise*Tests files

/// Runs one node the way the executor does: shape inference on concrete inputs, then the kernel.
func runElementwise(_ op: String, _ inputs: [Tensor?], attributes: [String: Attribute] = [:],
                    opset: Int = 17, threads: Int = 1) throws -> Tensor {
    let node = Node(name: "n", opType: op, inputs: inputs.enumerated().map { $1 == nil ? "" : "x\($0)" },
                    outputs: ["y"], attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let binding = try #require(LoweringTable.binding(for: node))
    let types = try schema.inferTypes(ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type },
                                                   inputValues: inputs))
    let outputs = try types.map { try Tensor.zeros($0.dtype, shape: try #require($0.staticDims)) }
    try binding.run(KernelContext(node: node, opset: opset, inputs: inputs, outputs: outputs, threads: threads))
    return outputs[0]
}

/// Deterministic pseudo-random values in `range` (an LCG, so tests need no seeding API).
func ewSeededValues(_ count: Int, seed: UInt64, in range: ClosedRange<Double> = -3...3) -> [Double] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let unit = Double(state >> 11) / Double(1 << 53)
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }
}

func ewFloatTensor(_ shape: [Int], seed: UInt64, in range: ClosedRange<Double> = -3...3) -> Tensor {
    Tensor(shape: shape, exactly: ewSeededValues(shape.reduce(1, *), seed: seed, in: range).map { Float($0) })
}

/// For each output element (row-major), the flat index into each input under NumPy broadcasting.
func ewBroadcastIndices(_ shapes: [[Int]], to out: [Int]) -> [[Int]] {
    let count = out.reduce(1, *)
    return (0..<count).map { flat in
        var index = [Int](repeating: 0, count: out.count)
        var r = flat
        for d in stride(from: out.count - 1, through: 0, by: -1) { index[d] = r % out[d]; r /= out[d] }
        return shapes.map { shape in
            var i = 0
            for (k, size) in shape.enumerated() {
                let d = index[k + out.count - shape.count]
                i = i * size + (size == 1 ? 0 : d)
            }
            return i
        }
    }
}

func ewExpectClose(_ actual: [Double], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
                 _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(label): count", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || a == e || abs(a - e) <= atol + rtol * abs(e)
        if !ok {
            Issue.record("\(label): element \(i) is \(a), expected \(e)", sourceLocation: sourceLocation)
            return
        }
    }
}

// MARK: - Binary arithmetic

let ewBroadcastCases: [([Int], [Int])] = [
    ([2, 3, 4], [4]), ([2, 1, 4], [3, 1]), ([], [2, 3]), ([2, 3], []), ([0, 3], [3]), ([3, 4], [3, 4]),
    ([1], [5, 1, 2]), ([2, 3, 4, 5], [3, 1, 5]), ([4, 1], [1, 4]), ([2, 3, 1], [2, 3, 1]),
]

struct ElementwiseBinaryCase: Sendable, CustomStringConvertible {
    let op: String
    let attributes: [String: Attribute]
    let positiveA: Bool
    let reference: @Sendable (Double, Double) -> Double
    var description: String { op + (attributes.isEmpty ? "" : "\(attributes)") }
}

let ewFloatBinaryCases: [ElementwiseBinaryCase] = [
    .init(op: "Add", attributes: [:], positiveA: false) { $0 + $1 },
    .init(op: "Sub", attributes: [:], positiveA: false) { $0 - $1 },
    .init(op: "Mul", attributes: [:], positiveA: false) { $0 * $1 },
    .init(op: "Div", attributes: [:], positiveA: false) { $0 / $1 },
    .init(op: "Pow", attributes: [:], positiveA: true) { pow($0, $1) },
    .init(op: "Max", attributes: [:], positiveA: false) { max($0, $1) },
    .init(op: "Min", attributes: [:], positiveA: false) { min($0, $1) },
    .init(op: "Mod", attributes: ["fmod": .int(1)], positiveA: false) { fmod($0, $1) },
    .init(op: "Mod", attributes: [:], positiveA: false) { a, b in let r = fmod(a, b); return r != 0 && (r < 0) != (b < 0) ? r + b : r },
]

@Suite struct ElementwiseBinaryTests {
    @Test(arguments: ewFloatBinaryCases)
    func floatBinaryMatchesReferenceWithBroadcasting(_ c: ElementwiseBinaryCase) throws {
        for (k, (sa, sb)) in ewBroadcastCases.enumerated() {
            let a = ewFloatTensor(sa, seed: UInt64(k), in: c.positiveA ? 0.1...3 : -3...3)
            let b = ewFloatTensor(sb, seed: UInt64(k + 100), in: 0.5...2).doubleValues()
            let bSigned = try Tensor(shape: sb, scalars: b.enumerated().map { Float($1 * ($0 % 2 == 0 ? 1 : -1)) })
            let y = try runElementwise(c.op, [a, bSigned], attributes: c.attributes)
            let out = try #require(Broadcasting.shape(sa, sb))
            #expect(y.shape == out)
            let av = a.doubleValues(), bv = bSigned.doubleValues()
            let expected = ewBroadcastIndices([sa, sb], to: out).map { Double(Float(c.reference(av[$0[0]], bv[$0[1]]))) }
            ewExpectClose(y.doubleValues(), expected, rtol: 1e-5, atol: 1e-5, "\(c) \(sa) with \(sb)")
        }
    }

    @Test func doubleArithmeticBroadcasts() throws {
        let a = try Tensor(shape: [2, 1, 3], scalars: [1.5, -2, 3, 4, 5, -6.25])
        let b = try Tensor(shape: [2, 1], scalars: [0.5, -4.0])
        let y = try runElementwise("Div", [a, b])
        #expect(y.dtype == .float64 && y.shape == [2, 2, 3])
        #expect(try y.scalars(as: Double.self) == [3, -4, 6, -0.375, 0.5, -0.75, 8, 10, -12.5, -1, -1.25, 1.5625])
    }

    @Test func integerArithmeticIsCLike() throws {
        let a = try Tensor(shape: [6], scalars: [Int64](arrayLiteral: 7, -7, 7, -7, 5, Int64.min))
        let b = try Tensor(shape: [6], scalars: [Int64](arrayLiteral: 2, 2, -2, -2, 0, -1))
        #expect(try runElementwise("Div", [a, b]).scalars(as: Int64.self) == [3, -3, -3, 3, 0, Int64.min])
        #expect(try runElementwise("Mod", [a, b], attributes: ["fmod": .int(1)]).scalars(as: Int64.self) == [1, -1, 1, -1, 0, 0])
        #expect(try runElementwise("Mod", [a, b]).scalars(as: Int64.self) == [1, 1, -1, -1, 0, 0])
        #expect(try runElementwise("Add", [a, b]).scalars(as: Int64.self) == [9, -5, 5, -9, 5, Int64.max])  // wraps
        let x32 = try Tensor(shape: [2, 2], scalars: [Int32](arrayLiteral: 1, -2, 3, 4))
        let s32 = Tensor(scalar: Int32(3))
        #expect(try runElementwise("Mul", [x32, s32]).scalars(as: Int32.self) == [3, -6, 9, 12])
        #expect(try runElementwise("Sub", [s32, x32]).scalars(as: Int32.self) == [2, 5, 0, -1])
        #expect(try runElementwise("Max", [x32, s32]).scalars(as: Int32.self) == [3, 3, 3, 4])
    }

    @Test func powerHandlesIntegerAndMixedTypes() throws {
        let base = try Tensor(shape: [5], scalars: [Int64](arrayLiteral: 2, -3, 1, -1, 5))
        let exponent = try Tensor(shape: [5], scalars: [Int64](arrayLiteral: 10, 3, -4, -3, -1))
        #expect(try runElementwise("Pow", [base, exponent]).scalars(as: Int64.self) == [1024, -27, 1, -1, 0])
        // Float base, integer exponent: the result keeps the base type.
        let x = try Tensor(shape: [3], scalars: [Float](arrayLiteral: 2, -1.5, 4))
        let y = try runElementwise("Pow", [x, Tensor(scalar: Int64(3))])
        #expect(try y.scalars(as: Float.self) == [8, -3.375, 64])
        // Integer base, float exponent: computed in double, truncated.
        let z = try runElementwise("Pow", [Tensor(shape: [2], scalars: [Int32](arrayLiteral: 9, 10)), Tensor(scalar: Float(0.5))])
        #expect(try z.scalars(as: Int32.self) == [3, 3])
        // The x ** 2 fast path.
        let sq = try runElementwise("Pow", [x, Tensor(scalar: Float(2))])
        #expect(try sq.scalars(as: Float.self) == [4, 2.25, 16])
        // A rank-raising exponent still broadcasts.
        let raised = try runElementwise("Pow", [x, Tensor(shape: [2, 1], scalars: [Float](arrayLiteral: 2, 0))])
        #expect(raised.shape == [2, 3])
        #expect(try raised.scalars(as: Float.self) == [4, 2.25, 16, 1, 1, 1])
    }

    @Test func preluBroadcastsSlopeToX() throws {
        let x = try Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: -1, 2, -3, 4, -5, 6))
        let slope = try Tensor(shape: [3], scalars: [Float](arrayLiteral: 0.1, 0.2, 0.3))
        ewExpectClose(try runElementwise("PRelu", [x, slope]).doubleValues(), [-0.1, 2, -0.9, 4, -1, 6], "PRelu")
        // A slope larger than X is not allowed (unidirectional broadcast).
        #expect(throws: InferError.self) { try runElementwise("PRelu", [slope, x]) }
    }

    @Test func nanPropagatesThroughMinMax() throws {
        let a = try Tensor(shape: [3], scalars: [Float](arrayLiteral: .nan, 1, 2))
        let b = try Tensor(shape: [3], scalars: [Float](arrayLiteral: 0, .nan, 3))
        let mn = try runElementwise("Min", [a, b]).doubleValues(), mx = try runElementwise("Max", [a, b]).doubleValues()
        #expect(mn[0].isNaN && mn[1].isNaN && mn[2] == 2)
        #expect(mx[0].isNaN && mx[1].isNaN && mx[2] == 3)
    }

    // MARK: - Variadic

    @Test func variadicOpsBroadcastEveryInput() throws {
        let a = ewFloatTensor([2, 1, 3], seed: 1), b = ewFloatTensor([4, 1], seed: 2), c = ewFloatTensor([3], seed: 3)
        let out = [2, 4, 3]
        let idx = ewBroadcastIndices([a.shape, b.shape, c.shape], to: out)
        let (av, bv, cv) = (a.doubleValues(), b.doubleValues(), c.doubleValues())
        let cases: [(String, ([Double]) -> Double)] = [
            ("Sum", { $0.reduce(0, +) }), ("Mean", { $0.reduce(0, +) / 3 }),
            ("Max", { $0.max()! }), ("Min", { $0.min()! }),
        ]
        for (op, reference) in cases {
            let y = try runElementwise(op, [a, b, c])
            #expect(y.shape == out)
            ewExpectClose(y.doubleValues(), idx.map { reference([av[$0[0]], bv[$0[1]], cv[$0[2]]]) }, rtol: 1e-5, atol: 1e-5, op)
        }
        // One input is a copy; two inputs a plain binary op.
        #expect(try runElementwise("Sum", [a]) == a)
        #expect(try runElementwise("Max", [a]) == a)
        let two = try runElementwise("Sum", [a, c])
        ewExpectClose(two.doubleValues(), ewBroadcastIndices([a.shape, c.shape], to: [2, 1, 3]).map { av[$0[0]] + cv[$0[1]] }, "Sum2")
        let ints = try runElementwise("Sum", [Tensor(shape: [2], scalars: [Int64](arrayLiteral: 1, 2)), Tensor(scalar: Int64(10)), Tensor(shape: [1], scalars: [Int64](arrayLiteral: 100))])
        #expect(try ints.scalars(as: Int64.self) == [111, 112])
    }

    // MARK: - Errors

    @Test func badInputsThrowInsteadOfCrashing() throws {
        let a = ewFloatTensor([2, 3], seed: 1)
        #expect(throws: InferError.self) { try runElementwise("Add", [a, ewFloatTensor([4], seed: 2)]) }
        #expect(throws: InferError.self) { try runElementwise("Sum", [a, ewFloatTensor([3], seed: 2), ewFloatTensor([2, 2], seed: 3)]) }
        #expect(throws: InferError.self) { try runElementwise("Add", [a, Tensor(shape: [3], scalars: [Int64](arrayLiteral: 1, 2, 3))]) }
        #expect(throws: InferError.self) { try runElementwise("Add", [Tensor(scalar: true), Tensor(scalar: false)]) }
        #expect(throws: InferError.self) { try runElementwise("Sqrt", [Tensor(scalar: Int64(4))]) }
        #expect(throws: InferError.self) { try runElementwise("And", [a, a]) }
        #expect(throws: InferError.self) { try runElementwise("Where", [a, a, a]) }
        #expect(throws: InferError.self) { try runElementwise("Cast", [a], attributes: ["to": .int(10)]) }  // float16
        #expect(throws: InferError.self) { try runElementwise("Gelu", [a], attributes: ["approximate": .string("fast")], opset: 20) }
        #expect(throws: InferError.self) { try runElementwise("Clip", [a, Tensor(shape: [2], scalars: [Float](arrayLiteral: 0, 1))], opset: 13) }
        #expect(throws: InferError.self) { try runElementwise("Add", [a]) }
        do {
            _ = try runElementwise("Mul", [a, ewFloatTensor([3, 2], seed: 2)])
            Issue.record("expected an error")
        } catch let error as InferError {
            #expect(error.kind == .invalidShape)
            #expect(error.message.contains("\"n\"") && error.message.contains("broadcast"))
        }
    }

    @Test func symbolicShapesInferAtCompileTime() throws {
        let node = Node(opType: "Add", inputs: ["a", "b"], outputs: ["y"])
        let schema = try #require(OperatorRegistry.schema(for: node))
        let a = ValueType(dtype: .float32, shape: [.symbol("N"), .value(1), .value(4)])
        let b = ValueType(dtype: .float32, shape: [.value(3), .value(1)])
        let types = try schema.inferTypes(ShapeContext(node: node, opset: 17, inputTypes: [a, b], inputValues: [nil, nil]))
        #expect(types == [ValueType(dtype: .float32, shape: [.symbol("N"), .value(3), .value(4)])])
        let unranked = ValueType(dtype: .float32, shape: nil)
        let t2 = try schema.inferTypes(ShapeContext(node: node, opset: 17, inputTypes: [a, unranked], inputValues: [nil, nil]))
        #expect(t2 == [unranked])
        let bad = ValueType(dtype: .float32, shape: [.value(5)])
        #expect(throws: InferError.self) {
            try schema.inferTypes(ShapeContext(node: node, opset: 17, inputTypes: [a, bad], inputValues: [nil, nil]))
        }
    }

    // MARK: - Threads and the executor

    @Test func largeTensorsSplitAcrossThreadsGiveTheSameResult() throws {
        // Past the threading threshold of cheap ops (about a million elements).
        let a = try Tensor(shape: [1000, 1100], scalars: (0..<1_100_000).map { Float($0 % 977) * 0.01 })
        let bias = ewFloatTensor([1100], seed: 6), column = ewFloatTensor([1000, 1], seed: 7)
        for b in [bias, column] {
            let one = try runElementwise("Add", [a, b], threads: 1)
            let two = try runElementwise("Add", [a, b], threads: 2)
            #expect(one == two)
        }
        let flat = ewFloatTensor([100_000], seed: 8)
        #expect(try runElementwise("Sigmoid", [flat], threads: 1) == runElementwise("Sigmoid", [flat], threads: 2))
        #expect(try runElementwise("Mul", [flat, Tensor(scalar: Float(3))], threads: 1)
                == runElementwise("Mul", [flat, Tensor(scalar: Float(3))], threads: 2))
    }

    @Test func engineRunsAnElementwiseChain() throws {
        let graph = Graph(
            inputs: [ValueInfo(name: "x", type: ValueType(dtype: .float32, dims: [2, 3]))],
            outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, dims: [2, 3]))],
            initializers: ["bias": try Tensor(shape: [3], scalars: [Float](arrayLiteral: 1, -1, 0.5))],
            nodes: [
                Node(name: "add", opType: "Add", inputs: ["x", "bias"], outputs: ["s"]),
                Node(name: "relu", opType: "Relu", inputs: ["s"], outputs: ["y"]),
            ])
        let engine = try Engine(model: Model(opsetImports: ["": 17], graph: graph), threads: 1)
        let x = try Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: -2, 0, 1, 3, 2, -1))
        let y = try #require(try engine.run(["x": x])["y"])
        #expect(try y.scalars(as: Float.self) == [0, 0, 1.5, 4, 1, 0])
    }

    @Test func legacyBroadcastBeforeOpset7() throws {
        let a = ewFloatTensor([2, 3, 4], seed: 1)
        let av = a.doubleValues()
        // axis=1: B [3] lines up with A's dim 1.
        let b = try Tensor(shape: [3], scalars: [Float](arrayLiteral: 10, 20, 30))
        let y = try runElementwise("Add", [a, b], attributes: ["broadcast": .int(1), "axis": .int(1)], opset: 6)
        #expect(y.shape == [2, 3, 4])
        ewExpectClose(y.doubleValues(), av.indices.map { av[$0] + [10, 20, 30][($0 / 4) % 3] }, "axis 1")
        // Suffix matching without axis.
        let suffix = ewFloatTensor([3, 4], seed: 2)
        let sv = suffix.doubleValues()
        let z = try runElementwise("Mul", [a, suffix], attributes: ["broadcast": .int(1)], opset: 6)
        ewExpectClose(z.doubleValues(), av.indices.map { av[$0] * sv[$0 % 12] }, "suffix")
        // A scalar always works; other mismatches need broadcast=1 and must fit.
        #expect(try runElementwise("Sub", [a, Tensor(scalar: Float(1))], opset: 6).shape == [2, 3, 4])
        #expect(throws: InferError.self) { try runElementwise("Add", [a, b], opset: 6) }
        #expect(throws: InferError.self) { try runElementwise("Add", [a, b], attributes: ["broadcast": .int(1)], opset: 6) }
        #expect(try runElementwise("Greater", [a, b], attributes: ["broadcast": .int(1), "axis": .int(1)], opset: 1).dtype == .bool)
    }
}
