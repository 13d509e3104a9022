import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// Softmax / LogSoftmax end to end, including the opset 13 change of semantics.

fileprivate func runNode(_ op: String, opset: Int, _ inputs: [Tensor?], _ attributes: [String: Attribute] = [:],
                         threads: Int = 1) throws -> Tensor {
    let node = Node(name: "n", opType: op, inputs: inputs.indices.map { "in\($0)" }, outputs: ["out"], attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(
        KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs, threads: threads))
    return outs[0]
}

fileprivate func randomValues(_ count: Int, seed: UInt64, scale: Double = 4) -> [Double] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 40) / Double(1 << 24) - 0.5) * scale
    }
}

fileprivate func close(_ a: [Double], _ b: [Double], rtol: Double = 1e-5, atol: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in (x.isNaN && y.isNaN) || x == y || abs(x - y) <= atol + rtol * abs(y) }
}

/// Reference softmax over the middle dim of [outer, n, inner], straight from the definition.
fileprivate func referenceSoftmax(_ x: [Double], outer: Int, n: Int, inner: Int, log logarithmic: Bool) -> [Double] {
    var y = x
    for o in 0..<outer {
        for i in 0..<inner {
            let idx = (0..<n).map { (o * n + $0) * inner + i }
            guard let m = idx.map({ x[$0] }).max() else { continue }
            let s = idx.reduce(0.0) { $0 + exp(x[$1] - m) }
            for j in idx { y[j] = logarithmic ? x[j] - m - log(s) : exp(x[j] - m) / s }
        }
    }
    return y
}

@Suite struct SoftmaxOperatorTests {
    @Test(arguments: ["Softmax", "LogSoftmax"])
    func opset13NormalizesOneAxis(op: String) throws {
        for shape in [[2, 3, 4], [5], [3, 1, 2, 4], [2, 0, 3]] {
            let values = randomValues(shape.reduce(1, *), seed: 1)
            let x = try Tensor(shape: shape, scalars: values.map { Float($0) })
            let exact = values.map { Double(Float($0)) }
            for axis in -shape.count..<shape.count {
                let a = (axis + shape.count) % shape.count
                let y = try runNode(op, opset: 13, [x], ["axis": .int(axis)])
                let expected = referenceSoftmax(exact, outer: shape[..<a].reduce(1, *), n: shape[a],
                                                inner: shape[(a + 1)...].reduce(1, *), log: op == "LogSoftmax")
                #expect(y.shape == shape && close(y.doubleValues(), expected), "\(op) \(shape) axis \(axis)")
            }
            // Default axis is -1.
            let y = try runNode(op, opset: 13, [x])
            let expected = referenceSoftmax(exact, outer: shape.dropLast().reduce(1, *), n: shape.last!, inner: 1,
                                            log: op == "LogSoftmax")
            #expect(close(y.doubleValues(), expected))
        }
    }

    @Test(arguments: ["Softmax", "LogSoftmax"])
    func opset11CoercesTo2D(op: String) throws {
        let shape = [2, 3, 4]
        let values = randomValues(24, seed: 2)
        let x = try Tensor(shape: shape, scalars: values.map { Double($0) })
        for opset in [1, 11] {
            for axis in [0, 1, 2, -1, -2] {
                let a = (axis + 3) % 3
                // The input is flattened to [prod(shape[..<axis]), prod(shape[axis...])] and normalized per row.
                let expected = referenceSoftmax(values, outer: shape[..<a].reduce(1, *), n: shape[a...].reduce(1, *),
                                                inner: 1, log: op == "LogSoftmax")
                let y = try runNode(op, opset: opset, [x], ["axis": .int(axis)])
                #expect(close(y.doubleValues(), expected, rtol: 1e-12, atol: 1e-14), "\(op) opset \(opset) axis \(axis)")
            }
            // Default axis is 1: rows of 12.
            let y = try runNode(op, opset: opset, [x])
            #expect(close(y.doubleValues(), referenceSoftmax(values, outer: 2, n: 12, inner: 1, log: op == "LogSoftmax"),
                          rtol: 1e-12, atol: 1e-14))
        }
        // The same node means something else at opset 13 on a 3-D input.
        let old = try runNode(op, opset: 11, [x], ["axis": .int(1)]).doubleValues()
        let new = try runNode(op, opset: 13, [x], ["axis": .int(1)]).doubleValues()
        #expect(!close(old, new))
        #expect(close(new, referenceSoftmax(values, outer: 2, n: 3, inner: 4, log: op == "LogSoftmax"), rtol: 1e-12, atol: 1e-14))
    }

    @Test func softmaxIsStableForLargeInputs() throws {
        let x = try Tensor(shape: [1, 3], scalars: [Float](arrayLiteral: 1000, 1001, 1002))
        let y = try runNode("Softmax", opset: 13, [x]).doubleValues()
        let expected = referenceSoftmax([0, 1, 2], outer: 1, n: 3, inner: 1, log: false)
        #expect(close(y, expected, rtol: 1e-5))
        let logY = try runNode("LogSoftmax", opset: 13, [x]).doubleValues()
        #expect(close(logY, referenceSoftmax([0, 1, 2], outer: 1, n: 3, inner: 1, log: true), rtol: 1e-5))
        // A row with +inf puts all the mass there; -inf entries get 0.
        let inf = try Tensor(shape: [3], scalars: [Float](arrayLiteral: -.infinity, 2, .infinity))
        #expect(try runNode("Softmax", opset: 13, [inf]).doubleValues() == [0, 0, 1])
    }

    @Test func bigSoftmaxOnTwoThreads() throws {
        let shape = [4, 130, 128]  // the transformer shape [.., seq, seq], > 64K elements
        let values = randomValues(shape.reduce(1, *), seed: 3, scale: 10)
        let x = try Tensor(shape: shape, scalars: values.map { Float($0) })
        let exact = values.map { Double(Float($0)) }
        let y = try runNode("Softmax", opset: 13, [x], threads: 2)
        #expect(close(y.doubleValues(), referenceSoftmax(exact, outer: 520, n: 128, inner: 1, log: false), rtol: 1e-4, atol: 1e-7))
        let middle = try runNode("Softmax", opset: 13, [x], ["axis": .int(1)], threads: 2)
        #expect(close(middle.doubleValues(), referenceSoftmax(exact, outer: 4, n: 130, inner: 128, log: false), rtol: 1e-4, atol: 1e-7))
    }

    @Test func softmaxBadInputThrows() throws {
        let x = try Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))
        #expect(throws: InferError.self) { try runNode("Softmax", opset: 13, [x], ["axis": .int(2)]) }
        #expect(throws: InferError.self) { try runNode("LogSoftmax", opset: 11, [x], ["axis": .int(-3)]) }
        let ints = try Tensor(shape: [2], scalars: [Int64(1), 2])
        #expect(throws: InferError.self) { try runNode("Softmax", opset: 13, [ints]) }
    }
}
