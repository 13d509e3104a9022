import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

/// One source tensor cast to every type; the expected values as Double (bool as 0/1).
struct ElementwiseCastRow: Sendable {
    let source: Tensor
    let expected: [DType: [Double]]
}

let ewCastTable: [ElementwiseCastRow] = [
    ElementwiseCastRow(source: Tensor(shape: [7], exactly: [Float](arrayLiteral: 1.9, -1.9, 0, 300.5, -1, .nan, 0.25)), expected: [
        .float32: [1.9, -1.9, 0, 300.5, -1, .nan, 0.25].map { Double(Float($0)) },
        .float64: [1.9, -1.9, 0, 300.5, -1, .nan, 0.25].map { Double(Float($0)) },
        .int64: [1, -1, 0, 300, -1, 0, 0],
        .int32: [1, -1, 0, 300, -1, 0, 0],
        .int8: [1, -1, 0, 44, -1, 0, 0],       // 300 wraps like C narrowing of the int64
        .uint8: [1, 255, 0, 44, 255, 0, 0],
        .bool: [1, 1, 0, 1, 1, 1, 1],          // non-zero (NaN included) is true
    ]),
    ElementwiseCastRow(source: Tensor(shape: [4], exactly: [Int64](arrayLiteral: 5_000_000_000, -2, 255, 0)), expected: [
        .float32: [5_000_000_000, -2, 255, 0], .float64: [5_000_000_000, -2, 255, 0],
        .int64: [5_000_000_000, -2, 255, 0], .int32: [705_032_704, -2, 255, 0],
        .int8: [0, -2, -1, 0], .uint8: [0, 254, 255, 0], .bool: [1, 1, 1, 0],
    ]),
    ElementwiseCastRow(source: Tensor(shape: [3], exactly: [true, false, true]), expected: [
        .float32: [1, 0, 1], .float64: [1, 0, 1], .int64: [1, 0, 1], .int32: [1, 0, 1],
        .int8: [1, 0, 1], .uint8: [1, 0, 1], .bool: [1, 0, 1],
    ]),
    ElementwiseCastRow(source: Tensor(shape: [3], exactly: [UInt8](arrayLiteral: 200, 0, 7)), expected: [
        .float32: [200, 0, 7], .float64: [200, 0, 7], .int64: [200, 0, 7], .int32: [200, 0, 7],
        .int8: [-56, 0, 7], .uint8: [200, 0, 7], .bool: [1, 0, 1],
    ]),
    ElementwiseCastRow(source: Tensor(shape: [4], exactly: [Double](arrayLiteral: 1e20, -1e20, .infinity, -2.5)), expected: [
        .float32: [Double(Float(1e20)), Double(Float(-1e20)), .infinity, -2.5],
        .float64: [1e20, -1e20, .infinity, -2.5],
        .int64: [Double(Int64.max), Double(Int64.min), Double(Int64.max), -2],   // saturates
        .int32: [-1, 0, -1, -2], .int8: [-1, 0, -1, -2], .uint8: [255, 0, 255, 254], .bool: [1, 1, 1, 1],
    ]),
    ElementwiseCastRow(source: Tensor(shape: [3], exactly: [Int32](arrayLiteral: -129, 128, 16_777_217)), expected: [
        .float32: [-129, 128, 16_777_216], .float64: [-129, 128, 16_777_217], .int64: [-129, 128, 16_777_217],
        .int32: [-129, 128, 16_777_217], .int8: [127, -128, 1], .uint8: [127, 128, 1], .bool: [1, 1, 1],
    ]),
    ElementwiseCastRow(source: Tensor(shape: [2], exactly: [Int8](arrayLiteral: -1, 100)), expected: [
        .float32: [-1, 100], .float64: [-1, 100], .int64: [-1, 100], .int32: [-1, 100],
        .int8: [-1, 100], .uint8: [255, 100], .bool: [1, 1],
    ]),
]

@Suite struct ElementwiseCastTests {
    @Test func castTableCoversEveryPair() throws {
        for row in ewCastTable {
            for to in DType.allCases {
                let y = try runElementwise("Cast", [row.source], attributes: ["to": .int(to.rawValue)], opset: 19)
                #expect(y.dtype == to && y.shape == row.source.shape)
                let expected = try #require(row.expected[to])
                let actual = y.doubleValues()
                let same = zip(actual, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
                #expect(same, "\(row.source.dtype) -> \(to): \(actual) vs \(expected)")
            }
        }
    }

    @Test func castKeepsShapeAndEmptyTensors() throws {
        let x = Tensor(zeros: .float32, shape: [0, 3])
        let y = try runElementwise("Cast", [x], attributes: ["to": .int(DType.int64.rawValue)], opset: 13)
        #expect(y.shape == [0, 3] && y.dtype == .int64)
        let s = try runElementwise("Cast", [Tensor(scalar: Float(-3.7))], attributes: ["to": .int(DType.int32.rawValue)], opset: 6)
        #expect(s.shape == [])
        #expect(try s.scalars(as: Int32.self) == [-3])
        #expect(throws: InferError.self) { try runElementwise("Cast", [x], opset: 13) }  // no `to`
    }
}
