import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

struct ElementwiseUnaryCase: Sendable, CustomStringConvertible {
    let op: String
    var attributes: [String: Attribute] = [:]
    var opset = 17
    var range: ClosedRange<Double> = -4...4
    var tolerance = 1e-5
    let reference: @Sendable (Double) -> Double
    var description: String { op + (attributes.isEmpty ? "" : "\(attributes)") }
}

/// ONNX float attributes are float32: references use the rounded value (so double tests agree to 1e-12).
func ewF32(_ x: Double) -> Double { Double(Float(x)) }

func ewSoftplus(_ x: Double) -> Double { log(1 + exp(x)) }

let ewUnaryCases: [ElementwiseUnaryCase] = [
    .init(op: "Abs") { abs($0) }, .init(op: "Neg") { -$0 },
    .init(op: "Reciprocal", range: 0.2...4) { 1 / $0 }, .init(op: "Sqrt", range: 0...9) { sqrt($0) },
    .init(op: "Exp") { exp($0) }, .init(op: "Log", range: 0.01...100) { log($0) },
    .init(op: "Tanh") { tanh($0) }, .init(op: "Sigmoid", range: -30...30) { 1 / (1 + exp(-$0)) },
    .init(op: "Relu") { max($0, 0) }, .init(op: "Erf", tolerance: 1e-6) { erf($0) },
    .init(op: "Floor") { floor($0) }, .init(op: "Ceil") { ceil($0) },
    .init(op: "Sign") { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) },
    .init(op: "Sin") { sin($0) }, .init(op: "Cos") { cos($0) },
    .init(op: "Softsign") { $0 / (1 + abs($0)) },
    .init(op: "Softplus", range: -20...20) { ewSoftplus($0) },
    .init(op: "Mish", opset: 18) { $0 * tanh(ewSoftplus($0)) },
    .init(op: "HardSwish") { $0 * max(0, min(1, $0 / 6 + 0.5)) },
    .init(op: "LeakyRelu") { $0 < 0 ? ewF32(0.01) * $0 : $0 },
    .init(op: "LeakyRelu", attributes: ["alpha": .float(0.2)]) { $0 < 0 ? ewF32(0.2) * $0 : $0 },
    .init(op: "Elu") { $0 < 0 ? exp($0) - 1 : $0 },
    .init(op: "Elu", attributes: ["alpha": .float(0.5)]) { $0 < 0 ? 0.5 * (exp($0) - 1) : $0 },
    .init(op: "Selu") { ewF32(1.0507009873554805) * ($0 <= 0 ? ewF32(1.6732632423543772) * (exp($0) - 1) : $0) },
    .init(op: "Celu", attributes: ["alpha": .float(2)]) { max(0, $0) + min(0, 2 * (exp($0 / 2) - 1)) },
    .init(op: "HardSigmoid") { max(0, min(1, ewF32(0.2) * $0 + 0.5)) },
    .init(op: "HardSigmoid", attributes: ["alpha": .float(0.5), "beta": .float(0.25)]) { max(0, min(1, 0.5 * $0 + 0.25)) },
    .init(op: "ThresholdedRelu") { $0 > 1 ? $0 : 0 },
    .init(op: "ThresholdedRelu", attributes: ["alpha": .float(-0.5)]) { $0 > -0.5 ? $0 : 0 },
    .init(op: "Gelu", opset: 20) { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) },
    .init(op: "Gelu", attributes: ["approximate": .string("tanh")], opset: 20) {
        0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0)))
    },
    .init(op: "Clip", attributes: ["min": .float(-1), "max": .float(2)], opset: 6) { min(max($0, -1), 2) },
    .init(op: "Clip", attributes: ["max": .float(0.5)], opset: 6) { min($0, 0.5) },
]

@Suite struct ElementwiseUnaryTests {
    @Test(arguments: ewUnaryCases)
    func unaryFloatMatchesReference(_ c: ElementwiseUnaryCase) throws {
        for shape in [[2, 3, 4], [], [0, 3], [1, 1, 7]] {
            let x = ewFloatTensor(shape, seed: 42, in: c.range)
            let y = try runElementwise(c.op, [x], attributes: c.attributes, opset: c.opset)
            #expect(y.shape == shape && y.dtype == .float32)
            ewExpectClose(y.doubleValues(), x.doubleValues().map { Double(Float(c.reference($0))) },
                        rtol: c.tolerance, atol: c.tolerance, "\(c) \(shape)")
            // float64 follows the same path at double precision.
            let xd = try Tensor(shape: shape, scalars: x.doubleValues())
            let yd = try runElementwise(c.op, [xd], attributes: c.attributes, opset: c.opset)
            #expect(yd.dtype == .float64)
            ewExpectClose(yd.doubleValues(), xd.doubleValues().map(c.reference), rtol: 1e-12, atol: 1e-12, "\(c) double \(shape)")
        }
    }

    @Test func roundIsHalfToEven() throws {
        let x = try Tensor(shape: [8], scalars: [Float](arrayLiteral: 0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6, 3))
        #expect(try runElementwise("Round", [x]).scalars(as: Float.self) == [0, 2, 2, -0, -2, 2, -3, 3])
    }

    @Test func integerUnaryOps() throws {
        let x = try Tensor(shape: [4], scalars: [Int64](arrayLiteral: -3, 0, 5, Int64.min))
        #expect(try runElementwise("Abs", [x]).scalars(as: Int64.self) == [3, 0, 5, Int64.min])
        #expect(try runElementwise("Neg", [x]).scalars(as: Int64.self) == [3, 0, -5, Int64.min])
        #expect(try runElementwise("Sign", [x]).scalars(as: Int64.self) == [-1, 0, 1, -1])
        #expect(try runElementwise("Relu", [x]).scalars(as: Int64.self) == [0, 0, 5, 0])
        let y = try Tensor(shape: [3], scalars: [Int32](arrayLiteral: -7, 2, 9))
        #expect(try runElementwise("Abs", [y]).scalars(as: Int32.self) == [7, 2, 9])
    }

    @Test func clipFromOptionalInputs() throws {
        let x = try Tensor(shape: [5], scalars: [Float](arrayLiteral: -3, -0.5, 0.25, 2, .nan))
        let lo = Tensor(scalar: Float(-1)), hi = Tensor(scalar: Float(1))
        func clip(_ inputs: [Tensor?]) throws -> [Double] { try runElementwise("Clip", inputs, opset: 13).doubleValues() }
        ewExpectClose(try clip([x, lo, hi]), [-1, -0.5, 0.25, 1, .nan], "both")
        ewExpectClose(try clip([x, nil, hi]), [-3, -0.5, 0.25, 1, .nan], "no min")
        ewExpectClose(try clip([x, lo]), [-1, -0.5, 0.25, 2, .nan], "no max")
        ewExpectClose(try clip([x]), [-3, -0.5, 0.25, 2, .nan], "neither")
        // min > max: everything becomes max.
        ewExpectClose(try clip([x, hi, lo]), [-1, -1, -1, -1, .nan], "crossed")
        let ints = try Tensor(shape: [4], scalars: [Int64](arrayLiteral: -10, 0, 5, 100))
        let r = try runElementwise("Clip", [ints, Tensor(scalar: Int64(-2)), Tensor(scalar: Int64(50))], opset: 13)
        #expect(try r.scalars(as: Int64.self) == [-2, 0, 5, 50])
        let rmax = try runElementwise("Clip", [ints, nil, Tensor(scalar: Int64(3))], opset: 12)
        #expect(try rmax.scalars(as: Int64.self) == [-10, 0, 3, 3])
        // Before opset 11 the bounds are attributes and extra inputs are ignored.
        let old = try runElementwise("Clip", [x], attributes: ["min": .float(0)], opset: 6).doubleValues()
        ewExpectClose(old, [0, 0, 0.25, 2, .nan], "opset 6 min only")
    }

    @Test func nanAndInfinityPredicates() throws {
        let x = try Tensor(shape: [5], scalars: [Float](arrayLiteral: .nan, .infinity, -.infinity, 0, 1))
        #expect(try runElementwise("IsNaN", [x]).scalars(as: Bool.self) == [true, false, false, false, false])
        #expect(try runElementwise("IsInf", [x]).scalars(as: Bool.self) == [false, true, true, false, false])
        #expect(try runElementwise("IsInf", [x], attributes: ["detect_negative": .int(0)]).scalars(as: Bool.self)
                == [false, true, false, false, false])
        #expect(try runElementwise("IsInf", [x], attributes: ["detect_positive": .int(0)]).scalars(as: Bool.self)
                == [false, false, true, false, false])
        let d = try Tensor(shape: [2], scalars: [Double](arrayLiteral: .nan, 2))
        #expect(try runElementwise("IsNaN", [d]).scalars(as: Bool.self) == [true, false])
    }

    @Test func unaryEdgeValues() throws {
        let x = try Tensor(shape: [4], scalars: [Float](arrayLiteral: -100, 100, .nan, -0.0))
        let s = try runElementwise("Sigmoid", [x]).doubleValues()
        #expect(s[0] == 0 && s[1] == 1 && s[2].isNaN)
        let sp = try runElementwise("Softplus", [x]).doubleValues()
        #expect(sp[0] >= 0 && sp[0] < 1e-30 && sp[1] == 100)
        let r = try runElementwise("Relu", [x]).doubleValues()
        #expect(r[0] == 0 && r[1] == 100 && r[2].isNaN)
        #expect(try runElementwise("Sign", [x]).doubleValues()[2].isNaN)
    }
}
