import Foundation
import Testing
@testable import InferKernels

/// GeluKernel.apply against the scalar formulas, at every SIMD level the CPU has: the tanh form
/// runs CInferSIMD's kernel above baseline (the same formula, x / (1 + e^(-2u))), within a few
/// ulps of GeluKernel.geluTanh and equal to it on the special values; both forms within 2e-6 of
/// the textbook definitions in Double.
@Suite struct GeluKernelTests {
    static let inputs: [Float] = [0, -0, 1, -1, 3, -3, 10, -10, 30, -30, 100, -100, 1e-30, -1e-30,
                                  .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        + (0..<4_001).map { Float($0) / 200 - 10 }

    @Test(arguments: SIMDKernels.testedLevels)
    func tanhFormMatchesTheSwiftFormula(level: SIMDKernels.Level) {
        let x = Self.inputs
        var y = [Float](repeating: .nan, count: x.count)
        SIMDKernels.capped(at: level) { GeluKernel.apply(x, &y, count: x.count, tanhApproximation: true, threads: 1) }
        var worst: Float = 0
        for (i, v) in x.enumerated() {
            let want = VectorMath.scalar(v, GeluKernel.geluTanh)
            if want.isNaN || y[i].isNaN {
                #expect(want.isNaN && y[i].isNaN, "\(level.name) x \(v): \(y[i]) vs \(want)")
            } else if want.isInfinite || want == 0 || abs(want) < Float.leastNormalMagnitude {
                #expect(y[i] == want || abs(y[i] - want) <= Float.leastNormalMagnitude, "\(level.name) x \(v): \(y[i]) vs \(want)")
            } else {
                worst = max(worst, abs(y[i] - want) / (abs(want) * Float.ulpOfOne))
            }
            // And the definition, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), where finite.
            if v.isFinite, abs(v) <= 10 {
                let d = Double(v), exact = 0.5 * d * (1 + tanh(0.7978845608028654 * (d + 0.044715 * d * d * d)))
                #expect(abs(Double(y[i]) - exact) <= 2e-6 * max(1, abs(exact)), "\(level.name) x \(v): \(y[i]) vs \(exact)")
            }
        }
        #expect(worst <= 4, "\(level.name): \(worst) ulps from GeluKernel.geluTanh")
        #expect(y.contains { $0 > 1 } && y.contains { $0 < -0.1 }, "not a constant output")
    }

    /// The erf form: CInferSIMD's kernel above baseline (VectorMath.erf's rational
    /// approximation, with FMAs) against the Swift formula within 1.5e-6, and against erf in
    /// Double within 2e-6.
    @Test(arguments: SIMDKernels.testedLevels)
    func erfFormMatchesTheSwiftFormula(level: SIMDKernels.Level) {
        let x = Self.inputs
        var y = [Float](repeating: .nan, count: x.count)
        SIMDKernels.capped(at: level) { GeluKernel.apply(x, &y, count: x.count, tanhApproximation: false, threads: 1) }
        for (i, v) in x.enumerated() {
            let want = VectorMath.scalar(v, GeluKernel.gelu)
            if want.isNaN || y[i].isNaN {
                #expect(want.isNaN && y[i].isNaN, "\(level.name) x \(v): \(y[i]) vs \(want)")
            } else if want.isInfinite {
                #expect(y[i] == want, "\(level.name) x \(v): \(y[i]) vs \(want)")
            } else {
                // The same rational erf; FMAs in the C polynomial move it by up to ~1e-6 near |x| = 1.
                #expect(abs(y[i] - want) <= 1.5e-6 * max(1, abs(want)), "\(level.name) x \(v): \(y[i]) vs \(want)")
            }
            if v.isFinite, abs(v) <= 10 {
                let d = Double(v), exact = 0.5 * d * (1 + Foundation.erf(d / 2.0.squareRoot()))
                #expect(abs(Double(y[i]) - exact) <= 2e-6 * max(1, abs(exact)), "\(level.name) x \(v): \(y[i]) vs \(exact)")
            }
        }
        #expect(y.contains { $0 > 1 } && y.contains { $0 < -0.1 }, "not a constant output")
    }

    /// Split over two threads: every element written once, the same values as one thread.
    @Test func splitMatchesOneThread() {
        let x = (0..<300_000).map { Float($0 % 2000) / 100 - 10 }
        var one = [Float](repeating: .nan, count: x.count), two = one
        GeluKernel.apply(x, &one, count: x.count, tanhApproximation: true, threads: 1)
        GeluKernel.apply(x, &two, count: x.count, tanhApproximation: true, threads: 2)
        #expect(one == two)
    }
}
