import Foundation
import Testing
@testable import InferKernels

/// VectorMath's functions against Double libm over the whole float range: 2^20 bit patterns
/// spaced evenly through every exponent of both signs (each is rounded from the exact Double
/// result, so "ulp" is against the correctly rounded float), plus the special values. The
/// bounds asserted are what the doc comments state; the measured maxima are printed.
@Suite struct VectorMathTests {
    struct Function: CustomTestStringConvertible, Sendable {
        let name: String
        let vector: @Sendable (VectorMath.Vector) -> VectorMath.Vector
        let exact: @Sendable (Double) -> Double
        /// Bound on |got - exact| in ulps of the exact result (normal results).
        let maxULP: Double
        /// Bound on |got - exact| where the exact result is below the smallest normal float
        /// (there a relative bound means nothing: flushing to 0 is allowed).
        let maxAbsoluteNearZero: Double
        var testDescription: String { name }
    }

    static let functions: [Function] = [
        Function(name: "exp", vector: VectorMath.exp, exact: Foundation.exp, maxULP: 1, maxAbsoluteNearZero: 1.2e-38),
        Function(name: "log", vector: VectorMath.log, exact: Foundation.log, maxULP: 1, maxAbsoluteNearZero: 0),
        Function(name: "erf", vector: VectorMath.erf, exact: Foundation.erf, maxULP: 5, maxAbsoluteNearZero: 1.2e-38),
        Function(name: "tanh", vector: VectorMath.tanh, exact: Foundation.tanh, maxULP: 2, maxAbsoluteNearZero: 1.2e-38),
        Function(name: "sigmoid", vector: VectorMath.sigmoid, exact: { 1 / (1 + Foundation.exp(-$0)) }, maxULP: 3,
                 maxAbsoluteNearZero: 1.2e-38),
    ]

    /// 2^20 floats, evenly spaced in bit pattern over all positive and negative finite values.
    static let samples: [Float] = stride(from: UInt64(0), to: 1 << 32, by: 1 << 12).compactMap { bits in
        let x = Float(bitPattern: UInt32(bits))
        return x.isFinite ? x : nil
    }

    @Test(arguments: functions) func accurateOverTheWholeFloatRange(_ f: Function) {
        var worstULP = 0.0, worstAt: Float = 0, worstNearZero = 0.0
        var i = 0
        while i < Self.samples.count {
            var v = VectorMath.Vector()
            let n = min(16, Self.samples.count - i)
            for l in 0..<n { v[l] = Self.samples[i + l] }
            let got = f.vector(v)
            for l in 0..<n {
                let x = v[l], exact = f.exact(Double(x)), y = Double(got[l])
                if exact.isNaN { #expect(got[l].isNaN, "\(f.name)(\(x)) = \(got[l]), expected NaN"); continue }
                let rounded = Float(exact)
                if rounded.isInfinite {
                    // Beyond the float range: +-inf is the only right answer.
                    if got[l] != rounded { worstULP = .infinity; worstAt = x }
                } else if abs(rounded) < Float.leastNormalMagnitude {
                    worstNearZero = max(worstNearZero, abs(y - exact))
                } else {
                    let ulps = abs(y - exact) / Double(rounded.ulp)
                    if ulps > worstULP { worstULP = ulps; worstAt = x }
                }
            }
            i += 16
        }
        print("VectorMath.\(f.name): max \(String(format: "%.2f", worstULP)) ulp (at \(worstAt)), max abs error \(worstNearZero) below the smallest normal, over \(Self.samples.count) samples")
        #expect(worstULP <= f.maxULP, "\(f.name): \(worstULP) ulp at x = \(worstAt)")
        #expect(worstNearZero <= f.maxAbsoluteNearZero, "\(f.name): \(worstNearZero) absolute error near 0")
    }

    @Test func specialValues() {
        func one(_ f: (VectorMath.Vector) -> VectorMath.Vector, _ x: Float) -> Float { VectorMath.scalar(x, f) }
        #expect(one(VectorMath.exp, 0) == 1)
        #expect(one(VectorMath.exp, .infinity) == .infinity)
        #expect(one(VectorMath.exp, -.infinity) == 0)
        #expect(one(VectorMath.exp, 89) == .infinity)
        #expect(one(VectorMath.exp, 88.7) < .infinity)
        #expect(one(VectorMath.log, 1) == 0)
        #expect(one(VectorMath.log, 0) == -.infinity)
        #expect(one(VectorMath.log, -0.0) == -.infinity)
        #expect(one(VectorMath.log, -1).isNaN)
        #expect(one(VectorMath.log, .infinity) == .infinity)
        #expect(abs(one(VectorMath.log, Float.leastNonzeroMagnitude) - Float(Foundation.log(Double(Float.leastNonzeroMagnitude)))) < 1e-5)
        #expect(one(VectorMath.erf, 0) == 0)
        #expect(one(VectorMath.erf, .infinity) == 1 && one(VectorMath.erf, -.infinity) == -1)
        #expect(one(VectorMath.erf, 1e-30) > 0)
        #expect(one(VectorMath.tanh, .infinity) == 1 && one(VectorMath.tanh, -.infinity) == -1)
        #expect(one(VectorMath.tanh, -0.0).sign == .minus)
        #expect(one(VectorMath.sigmoid, -.infinity) == 0 && one(VectorMath.sigmoid, .infinity) == 1)
        for f in [VectorMath.exp, VectorMath.log, VectorMath.erf, VectorMath.tanh, VectorMath.sigmoid] {
            #expect(one(f, .nan).isNaN)
        }
    }

    /// `map` gives every element, including a ragged tail, exactly the vector function's result;
    /// so does the threaded unary kernel built on it, split across threads.
    @Test func mapMatchesTheVectorFunctionOnEveryElement() {
        for count in [1, 15, 16, 17, 100, ParallelFor.minimumParallelWork / ParallelFor.transcendentalCost + 5] {
            let x = (0..<count).map { Float($0 % 997) / 50 - 10 }
            var y = [Float](repeating: .nan, count: count)
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    VectorMath.map(xp.baseAddress!, yp.baseAddress!, count: count, VectorMath.tanh)
                }
            }
            var threaded = [Float](repeating: .nan, count: count)
            ParallelFor.forcingEverySplit {
                UnaryKernels.apply(.tanh, x, &threaded, count: count, threads: 3)
            }
            let mismatches = (0..<count).filter { y[$0] != VectorMath.scalar(x[$0], VectorMath.tanh) }
            #expect(mismatches.isEmpty, "count \(count): \(mismatches.count) elements differ, first at \(mismatches.first ?? -1)")
            let threadedMismatches = (0..<count).filter { threaded[$0] != y[$0] }
            #expect(threadedMismatches.isEmpty, "count \(count), 3 threads: \(threadedMismatches.count) elements differ")
        }
    }
}
