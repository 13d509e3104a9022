import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// Reduction family end to end (schema + binding + kernel) against naive references in Double.

/// Runs one node: shape inference then its kernel binding, like the executor does.
fileprivate func runNode(_ op: String, opset: Int, _ inputs: [Tensor?], _ attributes: [String: Attribute] = [:],
                         outputs: Int = 1, threads: Int = 1) throws -> [Tensor] {
    let node = Node(name: "n", opType: op, inputs: inputs.enumerated().map { $0.element == nil ? "" : "in\($0.offset)" },
                    outputs: (0..<outputs).map { "out\($0)" }, attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(
        KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs, threads: threads))
    return outs
}

/// Deterministic pseudo-random values in [-2, 2).
fileprivate func randomValues(_ count: Int, seed: UInt64) -> [Double] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 40) / Double(1 << 24) * 4 - 2
    }
}

fileprivate func close(_ a: [Double], _ b: [Double], rtol: Double = 1e-4, atol: Double = 1e-5) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).allSatisfy { x, y in
        (x.isNaN && y.isNaN) || x == y || abs(x - y) <= atol + rtol * abs(y)
    }
}

/// Reference: groups input elements by their kept coordinates, then folds each group.
fileprivate func referenceReduce(_ x: [Double], shape: [Int], axes: Set<Int>, keepDims: Bool,
                                 _ fold: ([Double]) -> Double) -> (shape: [Int], values: [Double]) {
    let outShape = shape.enumerated().compactMap { axes.contains($0.offset) ? (keepDims ? 1 : nil) : $0.element }
    let keptShape = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    var groups = [[Double]](repeating: [], count: keptShape.reduce(1, *))
    for flat in 0..<x.count {
        var rem = flat, outFlat = 0, scale = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            let i = rem % shape[d]; rem /= shape[d]
            if !axes.contains(d) { outFlat += i * scale; scale *= shape[d] }
        }
        groups[outFlat].append(x[flat])
    }
    return (outShape, groups.map(fold))
}

fileprivate let folds: [String: @Sendable ([Double]) -> Double] = [
    "ReduceSum": { $0.reduce(0, +) },
    "ReduceMean": { $0.reduce(0, +) / Double($0.count) },
    "ReduceMax": { $0.max() ?? -.infinity },
    "ReduceMin": { $0.min() ?? .infinity },
    "ReduceProd": { $0.reduce(1, *) },
    "ReduceL1": { $0.reduce(0) { $0 + abs($1) } },
    "ReduceL2": { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() },
    "ReduceSumSquare": { $0.reduce(0) { $0 + $1 * $1 } },
    "ReduceLogSum": { log($0.reduce(0, +)) },
    "ReduceLogSumExp": { v in v.isEmpty ? -.infinity : log(v.reduce(0) { $0 + exp($1) }) },
]

fileprivate func axesInputSince(_ op: String) -> Int {
    ReductionOperators.reduceOps.first { $0.name == op }!.axesInputSince
}

/// Every subset of the axes of `rank`, each written once with non-negative and once with negative axes.
fileprivate func axisSubsets(rank: Int) -> [[Int]] {
    var result: [[Int]] = []
    for mask in 0..<(1 << rank) {
        let axes = (0..<rank).filter { mask & (1 << $0) != 0 }
        result.append(axes)
        if !axes.isEmpty { result.append(axes.map { $0 - rank }) }
    }
    return result
}

/// Runs a Reduce* op in the attribute form (old opset) or input form (new opset).
fileprivate func reduce(_ op: String, _ x: Tensor, axes: [Int]?, keepDims: Bool, inputForm: Bool,
                        noop: Bool = false, threads: Int = 1) throws -> Tensor {
    var attributes: [String: Attribute] = ["keepdims": .int(keepDims ? 1 : 0)]
    if inputForm {
        if noop { attributes["noop_with_empty_axes"] = .int(1) }
        let axesTensor = axes.map { Tensor(shape: [$0.count], exactly: $0.map(Int64.init)) }
        return try runNode(op, opset: max(axesInputSince(op), 18), [x, axesTensor], attributes, threads: threads)[0]
    }
    if let axes { attributes["axes"] = .ints(axes) }
    return try runNode(op, opset: 11, [x], attributes, threads: threads)[0]
}

@Suite struct ReductionOperatorTests {
@Test(arguments: ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                  "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"])
func reduceFloatMatchesReference(op: String) throws {
    let shapes = [[3, 4, 5], [2, 1, 3, 2], [7], [2, 0, 3], [1, 1]]
    for (s, shape) in shapes.enumerated() {
        var values = randomValues(shape.reduce(1, *), seed: UInt64(s + 1))
        if op == "ReduceLogSum" { values = values.map { abs($0) + 0.1 } }  // log of a positive sum
        if op == "ReduceProd" { values = values.map { $0 / 2 + (($0 >= 0) ? 0.75 : -0.75) } }
        let x = try Tensor(shape: shape, scalars: values.map { Float($0) })
        let exact = values.map { Double(Float($0)) }
        for axes in axisSubsets(rank: shape.count) {
            for keepDims in [false, true] {
                let normalized = Set(axes.map { $0 < 0 ? $0 + shape.count : $0 })
                let reduceAll = normalized.isEmpty
                let expected = referenceReduce(exact, shape: shape, axes: reduceAll ? Set(0..<shape.count) : normalized,
                                               keepDims: keepDims, folds[op]!)
                for inputForm in [false, true] {
                    let y = try reduce(op, x, axes: axes.isEmpty && inputForm ? nil : axes, keepDims: keepDims,
                                       inputForm: inputForm)
                    #expect(y.shape == expected.shape, "\(op) \(shape) axes \(axes) keepdims \(keepDims)")
                    #expect(close(y.doubleValues(), expected.values),
                            "\(op) \(shape) axes \(axes) keepdims \(keepDims) input form \(inputForm): \(y) vs \(expected.values.prefix(8))")
                }
            }
        }
    }
}

@Test(arguments: [DType.int32, .int64, .float64])
func reduceOtherDTypes(dtype: DType) throws {
    let shape = [2, 3, 4]
    let ints = (0..<24).map { ($0 * 7) % 11 - 5 }
    let x: Tensor
    switch dtype {
    case .int32: x = try Tensor(shape: shape, scalars: ints.map(Int32.init))
    case .int64: x = try Tensor(shape: shape, scalars: ints.map(Int64.init))
    default: x = try Tensor(shape: shape, scalars: ints.map(Double.init))
    }
    for op in ["ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceSumSquare"] {
        for axes in [[1], [0, 2], [-1], []] {
            let expected = referenceReduce(ints.map(Double.init), shape: shape,
                                           axes: axes.isEmpty ? [0, 1, 2] : Set(axes.map { ($0 + 3) % 3 }),
                                           keepDims: true, folds[op]!)
            let y = try reduce(op, x, axes: axes, keepDims: true, inputForm: true)
            #expect(y.dtype == dtype)
            #expect(y.doubleValues() == expected.values, "\(op) \(dtype) axes \(axes)")
        }
    }
    // Integer mean truncates toward zero, like integer division.
    let mean = try reduce("ReduceMean", x, axes: [2], keepDims: false, inputForm: false)
    let sums = referenceReduce(ints.map(Double.init), shape: shape, axes: [2], keepDims: false, folds["ReduceSum"]!)
    let expected = dtype == .float64 ? sums.values.map { $0 / 4 } : sums.values.map { ($0 / 4).rounded(.towardZero) }
    #expect(mean.doubleValues() == expected)
}

@Test func reduceSumOpsetBoundary() throws {
    let x = try Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
    // Opset 12: axes attribute; opset 13: axes input.
    #expect(try runNode("ReduceSum", opset: 12, [x], ["axes": .ints([1])])[0].doubleValues() == [6, 15])
    #expect(try runNode("ReduceSum", opset: 13, [x, Tensor(shape: [1], scalars: [Int64(0)])])[0].doubleValues() == [5, 7, 9])
    // ReduceMean keeps the attribute through opset 17.
    #expect(try runNode("ReduceMean", opset: 17, [x], ["axes": .ints([0]), "keepdims": .int(0)])[0].doubleValues() == [2.5, 3.5, 4.5])
    // An axes attribute where the input is expected is a model error.
    #expect(throws: InferError.self) { try runNode("ReduceSum", opset: 13, [x], ["axes": .ints([1])]) }
}

@Test func reduceNoopWithEmptyAxes() throws {
    let x = try Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, -2, 3, 4, 5, 6))
    // Omitted axes and an empty axes tensor both reduce everything by default ...
    #expect(try reduce("ReduceSum", x, axes: nil, keepDims: true, inputForm: true).shape == [1, 1])
    #expect(try reduce("ReduceSum", x, axes: [], keepDims: false, inputForm: true).doubleValues() == [17])
    // ... and nothing with noop_with_empty_axes (the elementwise map still applies, as in the reference).
    let same = try reduce("ReduceSum", x, axes: [], keepDims: true, inputForm: true, noop: true)
    #expect(same.shape == [2, 3] && same.doubleValues() == x.doubleValues())
    let squared = try reduce("ReduceSumSquare", x, axes: nil, keepDims: true, inputForm: true, noop: true)
    #expect(squared.doubleValues() == [1, 4, 9, 16, 25, 36])
}

@Test func reduceBigTensorOnTwoThreads() throws {
    let shape = [8, 96, 100]  // > 64K elements: takes the parallel path
    let values = randomValues(shape.reduce(1, *), seed: 9)
    let x = try Tensor(shape: shape, scalars: values.map { Float($0) })
    for axes in [[2], [1], [0], [0, 2]] {
        let expected = referenceReduce(values.map { Double(Float($0)) }, shape: shape, axes: Set(axes), keepDims: false, folds["ReduceSum"]!)
        let y = try reduce("ReduceSum", x, axes: axes, keepDims: false, inputForm: true, threads: 2)
        #expect(close(y.doubleValues(), expected.values, rtol: 1e-4, atol: 1e-3), "axes \(axes)")
    }
}

@Test func reduceBadInputThrows() throws {
    let x = try Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))
    #expect(throws: InferError.self) { try reduce("ReduceSum", x, axes: [2], keepDims: true, inputForm: true) }
    #expect(throws: InferError.self) { try reduce("ReduceSum", x, axes: [-3], keepDims: true, inputForm: false) }
    #expect(throws: InferError.self) { try reduce("ReduceMean", x, axes: [1, -1], keepDims: true, inputForm: false) }
    let bools = try Tensor(shape: [2], scalars: [true, false])
    #expect(throws: InferError.self) { try reduce("ReduceSum", bools, axes: [0], keepDims: true, inputForm: true) }
    let ints = try Tensor(shape: [2], scalars: [Int64(1), 2])
    #expect(throws: InferError.self) { try reduce("ReduceLogSumExp", ints, axes: [0], keepDims: true, inputForm: true) }
}

// MARK: ArgMax / ArgMin

fileprivate func referenceArg(_ x: [Double], shape: [Int], axis: Int, findMax: Bool, last: Bool) -> [Double] {
    let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    var out: [Double] = []
    for o in 0..<outer {
        for i in 0..<inner {
            var best = 0
            for k in 0..<n {
                let v = x[(o * n + k) * inner + i], b = x[(o * n + best) * inner + i]
                if findMax ? (v > b || (last && v == b)) : (v < b || (last && v == b)) { best = k }
            }
            out.append(Double(best))
        }
    }
    return out
}

@Test(arguments: ["ArgMax", "ArgMin"])
func argReduceMatchesReference(op: String) throws {
    for shape in [[3, 4, 5], [6], [2, 1, 3]] {
        // Few distinct values so ties are common.
        let values = randomValues(shape.reduce(1, *), seed: 3).map { ($0 * 2).rounded() }
        let x = try Tensor(shape: shape, scalars: values.map { Float($0) })
        for axis in -shape.count..<shape.count {
            for keepDims in [0, 1] {
                for last in [0, 1] {
                    let y = try runNode(op, opset: 13, [x], ["axis": .int(axis), "keepdims": .int(keepDims),
                                                              "select_last_index": .int(last)])[0]
                    let a = (axis + shape.count) % shape.count
                    var outShape = shape
                    if keepDims == 1 { outShape[a] = 1 } else { outShape.remove(at: a) }
                    #expect(y.dtype == .int64 && y.shape == outShape)
                    #expect(y.doubleValues() == referenceArg(values, shape: shape, axis: a, findMax: op == "ArgMax", last: last == 1),
                            "\(op) \(shape) axis \(axis) last \(last)")
                }
            }
        }
    }
    let empty = Tensor(zeros: .float32, shape: [2, 0])
    #expect(throws: InferError.self) { try runNode(op, opset: 13, [empty], ["axis": .int(1)]) }
}

// MARK: TopK

@Test func topKMatchesReference() throws {
    let shape = [3, 5, 4]
    let values = randomValues(60, seed: 5).map { ($0 * 2).rounded() }  // ties on purpose
    let x = try Tensor(shape: shape, scalars: values.map { Float($0) })
    for axis in [0, 1, -1] {
        let a = (axis + 3) % 3
        for k in [0, 1, 2, shape[a]] {
            for largest in [0, 1] {
                let outs = try runNode("TopK", opset: 11, [x, Tensor(shape: [1], scalars: [Int64(k)])],
                                       ["axis": .int(axis), "largest": .int(largest)], outputs: 2)
                var outShape = shape
                outShape[a] = k
                #expect(outs[0].shape == outShape && outs[1].shape == outShape && outs[1].dtype == .int64)
                // Reference: per line, indices sorted by value (desc for largest), ties by lower index.
                let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
                var expectedValues = [Double](repeating: 0, count: outer * k * inner), expectedIndices = expectedValues
                for o in 0..<outer {
                    for i in 0..<inner {
                        let line = (0..<n).map { values[(o * n + $0) * inner + i] }
                        let order = (0..<n).sorted { p, q in
                            line[p] != line[q] ? (largest == 1 ? line[p] > line[q] : line[p] < line[q]) : p < q
                        }
                        for j in 0..<k {
                            expectedValues[(o * k + j) * inner + i] = line[order[j]]
                            expectedIndices[(o * k + j) * inner + i] = Double(order[j])
                        }
                    }
                }
                #expect(outs[0].doubleValues() == expectedValues, "axis \(axis) k \(k) largest \(largest)")
                #expect(outs[1].doubleValues() == expectedIndices, "axis \(axis) k \(k) largest \(largest)")
            }
        }
    }
    // Opset 1: k is an attribute.
    let old = try runNode("TopK", opset: 1, [Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, 4, 2, 3))], ["k": .int(2)], outputs: 2)
    #expect(old[0].doubleValues() == [4, 3] && old[1].doubleValues() == [1, 3])
    #expect(throws: InferError.self) {
        try runNode("TopK", opset: 11, [x, Tensor(shape: [1], scalars: [Int64(6)])], ["axis": .int(1)], outputs: 2)
    }
    #expect(throws: InferError.self) {
        try runNode("TopK", opset: 11, [x, Tensor(shape: [1], scalars: [Int64(-1)])], outputs: 2)
    }
}

// MARK: CumSum

@Test func cumSumMatchesReference() throws {
    let shape = [2, 3, 4]
    let ints = (0..<24).map { ($0 * 5) % 7 - 3 }
    for dtype in [DType.float32, .int64, .int32, .float64] {
        let x: Tensor = switch dtype {
        case .float32: try Tensor(shape: shape, scalars: ints.map(Float.init))
        case .int64: try Tensor(shape: shape, scalars: ints.map(Int64.init))
        case .int32: try Tensor(shape: shape, scalars: ints.map(Int32.init))
        default: try Tensor(shape: shape, scalars: ints.map(Double.init))
        }
        for axis in [0, 1, 2, -1] {
            let a = (axis + 3) % 3
            for exclusive in [0, 1] {
                for reverse in [0, 1] {
                    let y = try runNode("CumSum", opset: 14, [x, Tensor(scalar: Int64(axis))],
                                        ["exclusive": .int(exclusive), "reverse": .int(reverse)])[0]
                    let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
                    var expected = [Double](repeating: 0, count: 24)
                    for o in 0..<outer {
                        for i in 0..<inner {
                            for k in 0..<n {
                                let range = reverse == 1 ? (exclusive == 1 ? (k + 1)..<n : k..<n)
                                                         : (exclusive == 1 ? 0..<k : 0..<(k + 1))
                                expected[(o * n + k) * inner + i] = range.reduce(0.0) { $0 + Double(ints[(o * n + $1) * inner + i]) }
                            }
                        }
                    }
                    #expect(y.doubleValues() == expected, "\(dtype) axis \(axis) exclusive \(exclusive) reverse \(reverse)")
                }
            }
        }
    }
    let x = try Tensor(shape: [2], scalars: [Float](arrayLiteral: 1, 2))
    #expect(throws: InferError.self) { try runNode("CumSum", opset: 14, [x, Tensor(scalar: Int64(1))]) }
    #expect(throws: InferError.self) { try runNode("CumSum", opset: 14, [x, Tensor(scalar: Float(0))]) }
}
}
