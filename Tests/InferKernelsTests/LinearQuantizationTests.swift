import Testing
@testable import InferKernels

/// QuantizeLinear and DequantizeLinear per tensor (one scale and zero point for a run: a QDQ
/// model's activations) at every SIMD level this CPU has: CInferSIMD's AVX-512 and AVX2 runs
/// and the Swift loop must give the ONNX definition's bits, for ties, NaN, infinities, values
/// past both ends of the range and every ragged end of a vector loop.
@Suite struct LinearQuantizationTests {
    /// ONNX QuantizeLinear for one value: x / scale in float, rounded half to even, plus the zero
    /// point, saturated (NaN gives 0).
    static func reference<Q: FixedWidthInteger>(_ x: Float, _ scale: Float, _ zero: Q) -> Q {
        let v = (x / scale).rounded(.toNearestOrEven) + Float(zero)
        if v.isNaN { return 0 }
        return v <= Float(Q.min) ? Q.min : v >= Float(Q.max) ? Q.max : Q(v)
    }

    /// Values that probe each step: exact ties either side of 0, NaN, ±inf, huge and tiny
    /// magnitudes, the ends of both ranges, then a seeded spread.
    static func probes(scale: Float, count: Int) -> [Float] {
        var values: [Float] = [0, -0.0, .nan, .infinity, -.infinity, 1e30, -1e30, .leastNonzeroMagnitude]
        for k in -300...300 { values.append((Float(k) + 0.5) * scale) }    // ties: half to even
        for edge: Float in [-129, -128.5, -128, 127, 127.5, 128, 255, 255.5, 256] { values.append(edge * scale) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        while values.count < count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append((Float(state >> 40) / Float(1 << 24) - 0.5) * 700 * scale)
        }
        return Array(values.prefix(count))
    }

    @Test func knownValues() {
        let x: [Float] = [0.5, 1.5, 2.5, -0.5, -1.5, .nan, .infinity, -.infinity, 300, -300]
        var u = [UInt8](repeating: 7, count: x.count), s = [Int8](repeating: 7, count: x.count)
        LinearQuantization.quantize(x, count: x.count, scale: 1, zero: 0, into: &u)
        LinearQuantization.quantize(x, count: x.count, scale: 1, zero: 0, into: &s)
        #expect(u == [0, 2, 2, 0, 0, 0, 255, 0, 255, 0])
        #expect(s == [0, 2, 2, 0, -2, 0, 127, -128, 127, -128])
    }

    @Test(arguments: SIMDKernels.testedLevels)
    func quantizeMatchesTheDefinition(level: SIMDKernels.Level) {
        for (scale, zero) in [(Float(0.0123), 128), (1, 0), (0.37, 3), (2.5e-3, 255)] as [(Float, Int)] {
            for count in Array(0...70) + [257, 1000] {
                let x = Self.probes(scale: scale, count: count)
                var u = [UInt8](repeating: 0xAA, count: count), s = [Int8](repeating: 0x55, count: count)
                SIMDKernels.capped(at: level) {
                    LinearQuantization.quantize(x, count: count, scale: scale, zero: Float(zero), into: &u)
                    LinearQuantization.quantize(x, count: count, scale: scale, zero: Float(zero - 128), into: &s)
                }
                let expectedU = x.map { Self.reference($0, scale, UInt8(zero)) }
                let expectedS = x.map { Self.reference($0, scale, Int8(zero - 128)) }
                let wrongU = u.indices.filter { u[$0] != expectedU[$0] }, wrongS = s.indices.filter { s[$0] != expectedS[$0] }
                #expect(wrongU.isEmpty, "uint8 \(level), scale \(scale), zero \(zero), count \(count): \(wrongU.count) differ, first x = \(wrongU.first.map { x[$0] } ?? 0)")
                #expect(wrongS.isEmpty, "int8 \(level), scale \(scale), zero \(zero - 128), count \(count): \(wrongS.count) differ, first x = \(wrongS.first.map { x[$0] } ?? 0)")
            }
        }
    }

    @Test(arguments: SIMDKernels.testedLevels)
    func dequantizeMatchesTheDefinition(level: SIMDKernels.Level) {
        let bytes = (0..<600).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for count in Array(0...40) + [600] {
            for (scale, zero) in [(Float(0.0123), UInt8(128)), (3.5, 0), (1e-3, 255)] {
                let u = Array(bytes.prefix(count)), s = u.map { Int8(bitPattern: $0) }
                var yu = [Float](repeating: .nan, count: count), ys = yu
                SIMDKernels.capped(at: level) {
                    LinearQuantization.dequantize(u, scale: [scale], zeroPoint: [zero], layout: .perTensor(count: count), into: &yu)
                    LinearQuantization.dequantize(s, scale: [scale], zeroPoint: [Int8(bitPattern: zero)],
                                                  layout: .perTensor(count: count), into: &ys)
                }
                #expect(yu == u.map { (Float($0) - Float(zero)) * scale }, "uint8 \(level), count \(count)")
                #expect(ys == s.map { (Float($0) - Float(Int8(bitPattern: zero))) * scale }, "int8 \(level), count \(count)")
            }
        }
    }

    /// Per-axis parameters take the element loop: each channel its own scale and zero point.
    @Test(arguments: SIMDKernels.testedLevels)
    func perAxisRunsUseTheirChannelsParameters(level: SIMDKernels.Level) {
        let (outer, axis, inner) = (2, 3, 37)
        let scales: [Float] = [0.5, 0.03, 2], zeros: [UInt8] = [0, 100, 255]
        let x = Self.probes(scale: 0.1, count: outer * axis * inner)
        var y = [UInt8](repeating: 0, count: x.count)
        SIMDKernels.capped(at: level) {
            LinearQuantization.quantize(x, scale: scales, zeroPoint: zeros, layout: .perAxis(outer: outer, axis: axis, inner: inner), into: &y)
        }
        let expected = x.indices.map { e in Self.reference(x[e], scales[(e / inner) % axis], zeros[(e / inner) % axis]) }
        #expect(y == expected, "\(level)")
    }
}
