import Testing
import InferIR
@testable import InferKernels

/// The fused residual add of QDQ models against its definition: ONNX DequantizeLinear of each
/// side, a float add, ONNX QuantizeLinear (written out here per element), bit for bit, at every
/// SIMD level, across block boundaries and thread splits.
@Suite struct QuantizedAddTests {
    static func expected<Q: FixedWidthInteger>(_ a: [Q], _ sa: Float, _ za: Q, _ b: [Q], _ sb: Float, _ zb: Q,
                                               _ sy: Float, _ zy: Q) -> [Q] {
        zip(a, b).map { x, y in
            let sum = (Float(x) - Float(za)) * sa + (Float(y) - Float(zb)) * sb
            return LinearQuantizationTests.reference(sum, sy, zy)
        }
    }

    static func run<Q: FixedWidthInteger>(_ a: [Q], _ sa: Float, _ za: Q, _ b: [Q], _ sb: Float, _ zb: Q,
                                          _ sy: Float, _ zy: Q, threads: Int) -> [Q] {
        var y = [Q](repeating: 0, count: a.count)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { py in
                    let out = py.baseAddress!
                    let go = {
                        QuantizedAdd.run(.init(pa.baseAddress!, scale: sa, zero: za), .init(pb.baseAddress!, scale: sb, zero: zb),
                                         count: a.count, scale: sy, zero: zy, into: out, threads: threads)
                    }
                    if threads > 1 { ParallelFor.forcingEverySplit(go) } else { go() }
                }
            }
        }
        return y
    }

    @Test(arguments: SIMDKernels.testedLevels)
    func matchesDequantizeAddQuantize(level: SIMDKernels.Level) {
        var rng = SplitMix64(seed: 11)
        for count in [0, 1, 15, 17, 2047, 2048, 2049, 5000] {
            let a = (0..<count).map { _ in UInt8(rng.below(256)) }, b = (0..<count).map { _ in UInt8(rng.below(256)) }
            for threads in [1, 2] {
                let got = SIMDKernels.capped(at: level) { Self.run(a, 0.031, 128, b, 0.07, 3, 0.09, 40, threads: threads) }
                let want = Self.expected(a, 0.031, 128, b, 0.07, 3, 0.09, UInt8(40))
                let wrong = got.indices.filter { got[$0] != want[$0] }
                #expect(wrong.isEmpty, "\(level) count \(count) threads \(threads): \(wrong.count) differ")
                if count > 100 { #expect(Set(want).count > 50 && want.contains(0) && want.contains(255), "the case should spread and saturate") }
            }
            let sa = a.map { Int8(bitPattern: $0) }, sb = b.map { Int8(bitPattern: $0) }
            let got = SIMDKernels.capped(at: level) { Self.run(sa, 0.02, -5, sb, 0.05, 7, 0.04, -20, threads: 1) }
            #expect(got == Self.expected(sa, 0.02, -5, sb, 0.05, 7, 0.04, Int8(-20)), "int8 \(level) count \(count)")
        }
    }
}
