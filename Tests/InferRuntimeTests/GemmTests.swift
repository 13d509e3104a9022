import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

@Suite struct GemmTests {
    typealias H = LinalgConvHarness

    /// Y = alpha * op(A) * op(B) + beta * C, C broadcast numpy-style, on doubles.
    static func naiveGemm(_ a: Tensor, _ b: Tensor, _ c: Tensor?, transA: Bool, transB: Bool,
                          alpha: Double, beta: Double) -> ([Double], [Int]) {
        let av = a.doubleValues(), bv = b.doubleValues()
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let n = transB ? b.shape[0] : b.shape[1]
        var out: [Double] = []
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let x = transA ? av[p * m + i] : av[i * k + p]
                let y = transB ? bv[j * k + p] : bv[p * n + j]
                s += x * y
            }
            var cv = 0.0
            if let c {
                let cs = c.shape, vals = c.doubleValues()
                let ci = cs.count == 2 ? (cs[0] == 1 ? 0 : i) : 0
                let cj = cs.isEmpty ? 0 : (cs[cs.count - 1] == 1 ? 0 : j)
                cv = vals[cs.count == 2 ? ci * cs[1] + cj : cj]
            }
            out.append(alpha * s + beta * cv)
        } }
        return (out, [m, n])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var m: Int, n: Int, k: Int, transA: Bool, transB: Bool, alpha: Float, beta: Float, cShape: [Int]?
        var testDescription: String { "M\(m) N\(n) K\(k) tA\(transA) tB\(transB) a\(alpha) b\(beta) C\(cShape.map { "\($0)" } ?? "none")" }
    }

    static let cases: [Case] = {
        var all: [Case] = []
        let cShapes: [[Int]?] = [nil, [], [1], [4], [3, 1], [1, 4], [3, 4]]
        for tA in [false, true] { for tB in [false, true] { for cs in cShapes {
            all.append(Case(m: 3, n: 4, k: 5, transA: tA, transB: tB, alpha: 1.5, beta: 0.5, cShape: cs))
        } } }
        for tA in [false, true] { for tB in [false, true] {
            all.append(Case(m: 1, n: 6, k: 5, transA: tA, transB: tB, alpha: 1, beta: 1, cShape: [6]))     // M == 1: GEMV
            all.append(Case(m: 6, n: 1, k: 5, transA: tA, transB: tB, alpha: 2, beta: -1, cShape: [6, 1]))  // N == 1: GEMV
        } }
        all.append(Case(m: 3, n: 4, k: 5, transA: false, transB: false, alpha: 1, beta: 0, cShape: [3, 4]))
        all.append(Case(m: 3, n: 4, k: 0, transA: false, transB: false, alpha: 1, beta: 2, cShape: [4]))
        return all
    }()

    @Test(arguments: cases)
    func matchesNaive(c: Case) throws {
        let a = H.random(c.transA ? [c.k, c.m] : [c.m, c.k], seed: 11)
        let b = H.random(c.transB ? [c.n, c.k] : [c.k, c.n], seed: 12)
        let cT = c.cShape.map { H.random($0, seed: 13) }
        var attrs: [String: Attribute] = ["alpha": .float(c.alpha), "beta": .float(c.beta)]
        if c.transA { attrs["transA"] = .int(1) }
        if c.transB { attrs["transB"] = .int(1) }
        let inputs: [Tensor?] = cT == nil ? [a, b] : [a, b, cT]
        let y = try H.run("Gemm", opset: 13, inputs, attributes: attrs)[0]
        let (expected, shape) = Self.naiveGemm(a, b, cT, transA: c.transA, transB: c.transB,
                                               alpha: Double(c.alpha), beta: Double(c.beta))
        H.expectClose(y, expected, shape: shape)
    }

    @Test func opset7WithRequiredCAndDouble() throws {
        let a = try Tensor(shape: [2, 2], scalars: [1.0, 2.0, 3.0, 4.0]), b = try Tensor(shape: [2, 2], scalars: [1.0, 0.0, 0.0, 1.0])
        let c = try Tensor(shape: [1], scalars: [10.0])
        let y = try H.run("Gemm", opset: 7, [a, b, c], attributes: ["transB": .int(1)])[0]
        #expect(try y.scalars(as: Double.self) == [11, 12, 13, 14])
    }

    @Test func badInputsThrow() {
        let a = H.random([3, 5], seed: 1)
        #expect(throws: InferError.self) { try H.run("Gemm", [a, H.random([4, 4], seed: 2)]) }              // K mismatch
        #expect(throws: InferError.self) { try H.run("Gemm", [a, H.random([5, 4], seed: 2), H.random([2, 4], seed: 3)]) } // C
        #expect(throws: InferError.self) { try H.run("Gemm", [H.random([3], seed: 1), H.random([3, 4], seed: 2)]) }     // rank
        #expect(throws: InferError.self) {
            try H.run("Gemm", [Tensor(shape: [1, 1], scalars: [Int64(1)]), Tensor(shape: [1, 1], scalars: [Int64(1)])])
        }
    }
}
