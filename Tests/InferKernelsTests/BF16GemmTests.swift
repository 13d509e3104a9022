import CReducedPrecision
import Foundation
import InferIR
import Testing
@testable import InferKernels

/// The bf16 GEMM (CReducedPrecision through BF16Gemm), for every variant this machine runs, against
/// a Double reference with error bounds derived from bf16's and fp32's rounding: exact products of
/// the rounded inputs summed in fp32 are within K·2⁻²⁴·Σ|aᵢbᵢ| of the exact sum (each of the 2K
/// additions rounds once by at most 2⁻²⁴ of a partial sum no larger than Σ|aᵢbᵢ|, ×2 for slack);
/// against the unrounded fp32 inputs, each operand's rounding adds at most 2⁻⁹ relative, so the
/// products move by at most 2⁻⁸·Σ|aᵢbᵢ| more.
@Suite struct BF16GemmTests {
    /// m x n x k, covering row tails (of 8 and 16), one and two panels with column tails, and K
    /// below, at and beyond one 32-deep tile.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (7, 15, 31), (16, 16, 32), (17, 17, 33), (33, 40, 100), (9, 48, 64), (40, 33, 70), (64, 64, 300),
    ]

    static let cases: [(BF16Kernel, Int)] = BF16Kernel.available.flatMap { k in shapes.indices.map { (k, $0) } }

    @Test(arguments: cases)
    func productIsWithinTheDerivedBound(kernel: BF16Kernel, shapeIndex: Int) throws {
        let (m, n, k) = Self.shapes[shapeIndex]
        var rng = SplitMix64(seed: UInt64(shapeIndex + 1))
        let a = (0..<(m * k)).map { _ in rng.nextFloat() * 2 }
        let b = (0..<(k * n)).map { _ in rng.nextFloat() }
        let bBits = b.map(BFloat16.bits)
        let packed = bBits.withUnsafeBufferPointer { PackedBF16Matrix(bits: $0.baseAddress!, k: k, n: n) }
        // ldc = n + 3: the three columns past n of every row must stay as they were.
        let ldc = n + 3
        var c = [Float](repeating: .nan, count: m * ldc)
        var scratch = [UInt16](repeating: 0xffff, count: BF16Gemm.scratchCount(m: m, b: packed))
        BF16Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &c, ldc: ldc, scratch: &scratch, threads: 1, kernel: kernel)
        var distinct = Set<Float>()
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, exactFromFP32 = 0.0, magnitude = 0.0
                for q in 0..<k {
                    let ar = Double(BFloat16.float(BFloat16.bits(a[i * k + q]))), br = Double(BFloat16.float(bBits[q * n + j]))
                    exact += ar * br
                    exactFromFP32 += Double(a[i * k + q]) * Double(b[q * n + j])
                    magnitude += abs(ar * br)
                }
                let got = Double(c[i * ldc + j])
                let sumBound = Double(k) * 0x1p-23 * magnitude + 1e-30
                #expect(abs(got - exact) <= sumBound, "\(kernel) \(m)x\(n)x\(k) [\(i),\(j)]: \(got) vs \(exact) (bound \(sumBound))")
                let roundingBound = sumBound + 0x1p-8 * 1.01 * magnitude
                #expect(abs(got - exactFromFP32) <= roundingBound, "\(kernel) [\(i),\(j)]: \(got) vs fp32 \(exactFromFP32)")
                distinct.insert(c[i * ldc + j])
            }
            for j in n..<ldc { #expect(c[i * ldc + j].isNaN, "\(kernel): column \(j) of row \(i), past n, was written") }
        }
        #expect(m * n < 4 || distinct.count > m * n / 2, "\(kernel) \(m)x\(n)x\(k): output nearly constant (\(distinct.count) values)")
    }

    /// Split across threads (every split forced), each variant gives the one-thread result bit for
    /// bit: a panel's sums never depend on which thread computed it.
    @Test(arguments: BF16Kernel.available)
    func threadsDoNotChangeTheResult(kernel: BF16Kernel) {
        let (m, n, k) = (37, 100, 96)
        var rng = SplitMix64(seed: 99)
        let a = (0..<(m * k)).map { _ in rng.nextFloat() }
        let bits = (0..<(k * n)).map { _ in BFloat16.bits(rng.nextFloat()) }
        let packed = bits.withUnsafeBufferPointer { PackedBF16Matrix(bits: $0.baseAddress!, k: k, n: n) }
        var one = [Float](repeating: 0, count: m * n), two = one
        var scratch = [UInt16](repeating: 0, count: BF16Gemm.scratchCount(m: m, b: packed))
        BF16Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &one, ldc: n, scratch: &scratch, threads: 1, kernel: kernel)
        ParallelFor.forcingEverySplit {
            BF16Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &two, ldc: n, scratch: &scratch, threads: 2, kernel: kernel)
        }
        #expect(one == two)
        #expect(one.contains { $0 != one[0] })
    }

    /// Special and ordinary values, fp32 subnormals and values that round up into the exponent.
    static let roundingInputs: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, -.nan, .greatestFiniteMagnitude,
                                          -.greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude,
                                          -.leastNonzeroMagnitude, 1e-39, Float(bitPattern: 0x3f80_8000), Float(bitPattern: 0x3f81_8000),
                                          Float(bitPattern: 0x3fff_ffff), Float(bitPattern: 0x7f7f_ffff), 3.14159, -2.71828]
        + (0..<1000).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0 &* 2_654_435_761)) }

    /// The kernels' rounding of A (portable C, and vcvtneps2bf16 where the CPU has it) gives the
    /// bits the compiler's rounding of weights (BFloat16.bits) gives, including NaN, infinities,
    /// subnormals (to signed zero) and ties (to even).
    @Test func kernelRoundingMatchesTheWeightRounding() {
        let x = Self.roundingInputs, k = x.count, depth = cinfer_bf16_depth(k)
        let want = x.map(BFloat16.bits)
        var portable = [UInt16](repeating: 0xffff, count: depth)
        cinfer_bf16_round_rows(x, k, 1, k, depth, &portable)
        #expect(Array(portable.prefix(k)) == want)
        #expect(portable[k...].allSatisfy { $0 == 0 }, "padding after k is not zero")
        #expect(BFloat16.bits(Float(bitPattern: 0x3f80_8000)) == 0x3f80, "a tie rounds to even (down)")
        #expect(BFloat16.bits(Float(bitPattern: 0x3f81_8000)) == 0x3f82, "a tie rounds to even (up)")
        #expect(BFloat16.bits(1e-39) == 0 && BFloat16.bits(-1e-39) == 0x8000, "subnormals become signed zero")
        if BF16Kernel.avx512.isAvailable {
            var vector = [UInt16](repeating: 0xffff, count: depth)
            cinfer_bf16_round_rows_avx512(x, k, 1, k, depth, &vector)
            #expect(vector == portable)
        }
    }

    /// Which variants run is what cpuid says (/proc/cpuinfo's flags on Linux), and the chosen one is
    /// the best of them. Variants the CPU lacks are named, so a log shows what was not run here.
    @Test func availableVariantsFollowTheCPU() {
        let flags = CPUFeatures.current.flags
        #expect(BF16Kernel.avx512.isAvailable == flags.contains("avx512_bf16"))
        #expect(BF16Kernel.amx.isAvailable == (flags.contains("amx_bf16") && flags.contains("amx_tile")))
        #expect(BF16Kernel.portable.isAvailable)
        #expect(BF16Kernel.chosen == BF16Kernel.available.last)
        let missing = BF16Kernel.allCases.filter { !$0.isAvailable }.map(\.name)
        print("BF16GemmTests: variants run here: \(BF16Kernel.available.map(\.name)); not run (CPU lacks them): \(missing)")
    }
}
