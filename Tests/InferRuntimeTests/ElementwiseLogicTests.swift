import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

@Suite struct ElementwiseLogicTests {
    @Test(arguments: [("Equal", 0), ("Less", 1), ("Greater", 2), ("LessOrEqual", 3), ("GreaterOrEqual", 4)])
    func comparisonsOutputBoolWithBroadcasting(_ op: String, _ which: Int) throws {
        let reference: (Double, Double) -> Bool = [{ $0 == $1 }, { $0 < $1 }, { $0 > $1 }, { $0 <= $1 }, { $0 >= $1 }][which]
        for (sa, sb) in ewBroadcastCases {
            // Small integers so Equal hits both outcomes.
            let av = ewSeededValues(sa.reduce(1, *), seed: 3, in: 0...3).map { $0.rounded(.down) }
            let bv = ewSeededValues(sb.reduce(1, *), seed: 4, in: 0...3).map { $0.rounded(.down) }
            let out = try #require(Broadcasting.shape(sa, sb))
            let expected = ewBroadcastIndices([sa, sb], to: out).map { reference(av[$0[0]], bv[$0[1]]) }
            let inputs: [(Tensor, Tensor)] = [
                (try Tensor(shape: sa, scalars: av.map { Float($0) }), try Tensor(shape: sb, scalars: bv.map { Float($0) })),
                (try Tensor(shape: sa, scalars: av), try Tensor(shape: sb, scalars: bv)),
                (try Tensor(shape: sa, scalars: av.map { Int64($0) }), try Tensor(shape: sb, scalars: bv.map { Int64($0) })),
                (try Tensor(shape: sa, scalars: av.map { Int32($0) }), try Tensor(shape: sb, scalars: bv.map { Int32($0) })),
                (try Tensor(shape: sa, scalars: av.map { UInt8($0) }), try Tensor(shape: sb, scalars: bv.map { UInt8($0) })),
            ]
            for (a, b) in inputs {
                let y = try runElementwise(op, [a, b], opset: 16)
                #expect(y.dtype == .bool && y.shape == out)
                #expect(try y.scalars(as: Bool.self) == expected, "\(op) \(a.dtype) \(sa) with \(sb)")
            }
        }
    }

    @Test func comparisonsTreatNaNAsUnordered() throws {
        let a = try Tensor(shape: [2], scalars: [Float](arrayLiteral: .nan, 1))
        let b = try Tensor(shape: [2], scalars: [Float](arrayLiteral: .nan, .nan))
        for op in ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"] {
            #expect(try runElementwise(op, [a, b]).scalars(as: Bool.self) == [false, false], "\(op)")
        }
    }

    @Test func booleanLogic() throws {
        let a = try Tensor(shape: [4], scalars: [true, true, false, false])
        let b = try Tensor(shape: [4], scalars: [true, false, true, false])
        #expect(try runElementwise("And", [a, b]).scalars(as: Bool.self) == [true, false, false, false])
        #expect(try runElementwise("Or", [a, b]).scalars(as: Bool.self) == [true, true, true, false])
        #expect(try runElementwise("Xor", [a, b]).scalars(as: Bool.self) == [false, true, true, false])
        #expect(try runElementwise("Equal", [a, b]).scalars(as: Bool.self) == [true, false, false, true])
        #expect(try runElementwise("Not", [a]).scalars(as: Bool.self) == [false, false, true, true])
        // Broadcast a column against a row.
        let col = try Tensor(shape: [2, 1], scalars: [true, false]), row = try Tensor(shape: [1, 2], scalars: [true, false])
        let y = try runElementwise("And", [col, row])
        #expect(y.shape == [2, 2])
        #expect(try y.scalars(as: Bool.self) == [true, false, false, false])
        #expect(try runElementwise("Not", [Tensor(zeros: .bool, shape: [0, 3])]).shape == [0, 3])
    }

    @Test func whereSelectsWithThreeWayBroadcasting() throws {
        let cond = try Tensor(shape: [2, 1, 3], scalars: [true, false, true, false, false, true])
        let x = ewFloatTensor([4, 1], seed: 1), y = ewFloatTensor([3], seed: 2)
        let out = try runElementwise("Where", [cond, x, y])
        #expect(out.shape == [2, 4, 3] && out.dtype == .float32)
        let (cv, xv, yv) = (cond.doubleValues(), x.doubleValues(), y.doubleValues())
        let expected = ewBroadcastIndices([cond.shape, x.shape, y.shape], to: [2, 4, 3]).map { cv[$0[0]] != 0 ? xv[$0[1]] : yv[$0[2]] }
        #expect(out.doubleValues() == expected)
        // Every element size: int64, int32, uint8, bool, and same-shape operands.
        let c = try Tensor(shape: [3], scalars: [true, false, true])
        #expect(try runElementwise("Where", [c, Tensor(shape: [3], scalars: [Int64](arrayLiteral: 1, 2, 3)), Tensor(scalar: Int64(-1))])
            .scalars(as: Int64.self) == [1, -1, 3])
        #expect(try runElementwise("Where", [c, Tensor(scalar: Int32(7)), Tensor(shape: [3], scalars: [Int32](arrayLiteral: 4, 5, 6))])
            .scalars(as: Int32.self) == [7, 5, 7])
        #expect(try runElementwise("Where", [c, Tensor(shape: [3], scalars: [UInt8](arrayLiteral: 1, 2, 3)), Tensor(shape: [3], scalars: [UInt8](arrayLiteral: 9, 8, 7))])
            .scalars(as: UInt8.self) == [1, 8, 3])
        #expect(try runElementwise("Where", [c, Tensor(scalar: false), Tensor(scalar: true)]).scalars(as: Bool.self) == [false, true, false])
        #expect(try runElementwise("Where", [Tensor(zeros: .bool, shape: [0, 1, 1]), x, y]).shape == [0, 4, 3])
        // Mismatched x / y types are an error.
        #expect(throws: InferError.self) { try runElementwise("Where", [c, Tensor(scalar: Int32(7)), Tensor(scalar: Float(1))]) }
    }
}
