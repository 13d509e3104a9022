import CReducedPrecision
import Foundation
import InferIR
import Testing
@testable import InferKernels

/// The int8 GEMM (CReducedPrecision through Int8Gemm), for every variant this machine runs:
/// the integer product exactly against a Swift integer reference, the per-row quantization of A
/// bit for bit against a Swift restatement of its rule, and the whole multiply against fp32
/// within the bound the two quantizations imply.
@Suite struct Int8GemmTests {
    /// m x n x k: row tails of the 6-row blocks, 1 to 5 panels (the 4-panel groups and their
    /// tails) with column tails, K not a multiple of 4.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (5, 15, 3), (6, 16, 4), (7, 17, 5), (13, 64, 33), (12, 65, 64), (19, 80, 130), (1, 100, 300),
    ]

    static let cases: [(Int8Kernel, Int)] = Int8Kernel.available.flatMap { k in shapes.indices.map { (k, $0) } }

    /// Sum over k of (a - zero) * b, in Int: the exact integer part of each output.
    static func integerReference(a: [UInt8], zeros: [Int32], b: [Int8], m: Int, n: Int, k: Int) -> [Int] {
        var out = [Int](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0
                for q in 0..<k { sum += (Int(a[i * k + q]) - Int(zeros[i])) * Int(b[q * n + j]) }
                out[i * n + j] = sum
            }
        }
        return out
    }

    /// With unit scales the kernel's output is its integer sum (exact as a float below 2^24),
    /// plus an integral column bias on every other shape: bytes at both extremes, every zero
    /// point, columns past n left alone.
    @Test(arguments: cases)
    func integerProductIsExact(kernel: Int8Kernel, shapeIndex: Int) {
        let (m, n, k) = Self.shapes[shapeIndex]
        var rng = SplitMix64(seed: UInt64(shapeIndex + 11))
        let a = (0..<(m * k)).map { i in i % 7 == 0 ? UInt8(255) : UInt8(rng.below(256)) }
        let b = (0..<(k * n)).map { i in i % 5 == 0 ? Int8(-128) : Int8(truncatingIfNeeded: rng.below(256)) }
        let zeros = (0..<m).map { _ in Int32(rng.below(256)) }
        let ones = [Float](repeating: 1, count: n)
        let packed = b.withUnsafeBufferPointer { bp in ones.withUnsafeBufferPointer { PackedInt8Matrix(values: bp.baseAddress!, scales: $0.baseAddress!, k: k, n: n) } }
        let depth = packed.depth
        var rows = [UInt8](repeating: 0, count: m * depth)
        for i in 0..<m { for q in 0..<k { rows[i * depth + q] = a[i * k + q] } }
        let ldc = n + 3
        var c = [Float](repeating: .nan, count: m * ldc)
        let gemm = kernel.gemm
        let bias: [Float]? = shapeIndex % 2 == 0 ? (0..<n).map { Float($0 % 9) - 4 } : nil
        gemm(rows, m, depth, [Float](repeating: 1, count: m), zeros, packed.storage, packed.columnSums, packed.columnScales,
             bias, n, 0, packed.panels, &c, ldc)
        var want = Self.integerReference(a: a, zeros: zeros, b: b, m: m, n: n, k: k)
        if let bias { for i in 0..<(m * n) { want[i] += Int(bias[i % n]) } }
        var wrong = 0
        for i in 0..<m {
            for j in 0..<n where c[i * ldc + j] != Float(want[i * n + j]) {
                if wrong < 3 { Issue.record("\(kernel) \(m)x\(n)x\(k) [\(i),\(j)]: \(c[i * ldc + j]) vs \(want[i * n + j])") }
                wrong += 1
            }
            for j in n..<ldc { #expect(c[i * ldc + j].isNaN, "\(kernel): column \(j) of row \(i), past n, was written") }
        }
        #expect(wrong == 0, "\(kernel) \(m)x\(n)x\(k): \(wrong) outputs differ from the integer reference")
        #expect(Set(want).count > m * n / 2 || m * n < 4, "the test's inputs should give varied sums")
    }

    /// Rows of every kind, 150 long (the vector quantizer's 64- and 32-wide loops and their
    /// tails): ordinary, all positive, all negative, all zero, a short tail of tiny values, and
    /// rows holding NaN or an infinity (in the wide loop and in the tail).
    static let rowLength = 150
    static let quantizationRows: [[Float]] = {
        var rng = SplitMix64(seed: 5)
        let k = rowLength
        return [
            (0..<k).map { _ in rng.nextFloat() * 3 },
            (0..<k).map { _ in abs(rng.nextFloat()) + 0.5 },
            (0..<k).map { _ in -abs(rng.nextFloat()) - 0.25 },
            [Float](repeating: 0, count: k),
            [Float](repeating: 0.5, count: k - 17) + (0..<17).map { _ in rng.nextFloat() * 1e-3 },
            (0..<(k - 1)).map { _ in rng.nextFloat() } + [.nan],
            (0..<20).map { _ in rng.nextFloat() } + [.infinity] + (0..<(k - 21)).map { _ in rng.nextFloat() },
            (0..<k).map { i in Float(i % 255) - 127.5 },  // values landing on exact halves of the step
        ]
    }()

    /// The quantization rule restated in Swift: scale from the range widened to include 0, the
    /// zero point and each value rounded to nearest even from x * (1 / scale), clamped to a byte.
    static func referenceQuantization(_ row: [Float]) -> (values: [UInt8], scale: Float, zero: Int32) {
        guard row.allSatisfy(\.isFinite) else { return ([UInt8](repeating: 0, count: row.count), .nan, 0) }
        let lo = min(0, row.min()!), hi = max(0, row.max()!)
        let scale: Float = hi - lo < 255 * Float.leastNormalMagnitude ? 1 : (hi - lo) / 255
        let inverse = 1 / scale
        func clampByte(_ v: Float) -> Int32 { Int32(min(255, max(0, v))) }
        let zero = clampByte((-lo * inverse).rounded(.toNearestOrEven))
        let values = row.map { UInt8(clampByte((($0 * inverse).rounded(.toNearestOrEven)) + Float(zero))) }
        return (values, scale, zero)
    }

    @Test(arguments: Int8Kernel.available)
    func quantizationMatchesTheRule(kernel: Int8Kernel) {
        let rows = Self.quantizationRows, k = Self.rowLength, depth = cinfer_int8_depth(k)
        let a = rows.flatMap { $0 }
        var out = [UInt8](repeating: 0xAA, count: rows.count * depth)
        var scales = [Float](repeating: 0, count: rows.count), zeros = [Int32](repeating: -1, count: rows.count)
        let quantize = kernel.quantizeRows
        quantize(a, k, rows.count, k, depth, &out, &scales, &zeros)
        for (i, row) in rows.enumerated() {
            let want = Self.referenceQuantization(row)
            let got = Array(out[(i * depth)..<(i * depth + k)])
            if want.scale.isNaN {
                #expect(scales[i].isNaN, "\(kernel) row \(i): a row with NaN or infinity must get scale NaN, got \(scales[i])")
                continue
            }
            #expect(scales[i] == want.scale && zeros[i] == want.zero, "\(kernel) row \(i): scale \(scales[i]) zero \(zeros[i]) vs \(want.scale) \(want.zero)")
            #expect(got == want.values, "\(kernel) row \(i): quantized values differ")
            // Dequantized, every value is within half a step of the input (plus float slack).
            for (x, q) in zip(row, got) {
                let back = Float(Int32(q) - zeros[i]) * scales[i]
                #expect(abs(back - x) <= scales[i] * 0.5001 + 1e-30, "\(kernel) row \(i): \(x) came back as \(back)")
            }
        }
        #expect(scales[3] == 1 && zeros[3] == 0 && out[(3 * depth)..<(3 * depth + k)].allSatisfy { $0 == 0 }, "an all-zero row")
    }

    /// Weights quantized per column (symmetric) as the compiler does, the multiply against the
    /// fp32 product: each factor moves by at most half its step, so an output moves by at most
    /// sum_k (|a| eb + |b| ea + ea eb) (ea = scaleA / 2, eb = scaleB / 2), plus fp32 rounding.
    @Test(arguments: cases)
    func multiplyIsWithinTheQuantizationBound(kernel: Int8Kernel, shapeIndex: Int) {
        let (m, n, k) = Self.shapes[shapeIndex]
        var rng = SplitMix64(seed: UInt64(shapeIndex + 101))
        let a = (0..<(m * k)).map { _ in rng.nextFloat() * 2 + 0.3 }
        let w = (0..<(k * n)).map { _ in rng.nextFloat() }
        let (q, scales) = LinearQuantizationReference.perColumnSymmetric(w, k: k, n: n)
        let packed = q.withUnsafeBufferPointer { qp in scales.withUnsafeBufferPointer { PackedInt8Matrix(values: qp.baseAddress!, scales: $0.baseAddress!, k: k, n: n) } }
        let scratch = Int8Gemm.Scratch(m: m, b: packed)
        defer { scratch.deallocate() }
        var c = [Float](repeating: .nan, count: m * n)
        Int8Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &c, ldc: n, scratch: scratch, threads: 1, kernel: kernel)
        var distinct = Set<Float>()
        for i in 0..<m {
            let row = Array(a[(i * k)..<(i * k + k)])
            let ea = Double(Self.referenceQuantization(row).scale) / 2
            for j in 0..<n {
                var exact = 0.0, bound = 0.0
                let eb = Double(scales[j]) / 2
                for t in 0..<k {
                    let (x, y) = (Double(a[i * k + t]), Double(w[t * n + j]))
                    exact += x * y
                    bound += abs(x) * eb + abs(y) * ea + ea * eb
                }
                bound = bound * 1.001 + 1e-5 * abs(exact) + 1e-6
                #expect(abs(Double(c[i * n + j]) - exact) <= bound, "\(kernel) \(m)x\(n)x\(k) [\(i),\(j)]: \(c[i * n + j]) vs \(exact) (bound \(bound))")
                distinct.insert(c[i * n + j])
            }
        }
        #expect(m * n < 4 || distinct.count > m * n / 2, "\(kernel) \(m)x\(n)x\(k): output nearly constant (\(distinct.count) values)")
    }

    /// Every variant gives the portable one's bits, on one thread and split across threads.
    @Test func variantsAndThreadsGiveTheSameBits() {
        let (m, n, k) = (37, 100, 96)
        var rng = SplitMix64(seed: 99)
        let a = (0..<(m * k)).map { _ in rng.nextFloat() }
        let (q, scales) = LinearQuantizationReference.perColumnSymmetric((0..<(k * n)).map { _ in rng.nextFloat() }, k: k, n: n)
        let packed = q.withUnsafeBufferPointer { qp in scales.withUnsafeBufferPointer { PackedInt8Matrix(values: qp.baseAddress!, scales: $0.baseAddress!, k: k, n: n) } }
        let scratch = Int8Gemm.Scratch(m: m, b: packed)
        defer { scratch.deallocate() }
        var reference = [Float](repeating: 0, count: m * n)
        Int8Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &reference, ldc: n, scratch: scratch, threads: 1, kernel: .portable)
        #expect(reference.contains { $0 != reference[0] })
        for kernel in Int8Kernel.available {
            var split = [Float](repeating: 0, count: m * n)
            ParallelFor.forcingEverySplit {
                Int8Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &split, ldc: n, scratch: scratch, threads: 2, kernel: kernel)
            }
            #expect(split == reference, "\(kernel) on 2 threads differs from portable C on 1")
        }
    }

    /// Per-tensor quantization (a fused DynamicQuantizeLinear) is LinearQuantization's own rule
    /// on every variant: the integer parts against the reference quantized by dynamicQuantize,
    /// scaled by its one scale; rows with K not a multiple of 4 and of 16.
    @Test(arguments: Int8Kernel.available)
    func perTensorQuantizationIsDynamicQuantizeLinears(kernel: Int8Kernel) {
        let (m, n, k) = (9, 40, 37)
        var rng = SplitMix64(seed: 77)
        let a = (0..<(m * k)).map { i in i % 11 == 0 ? 0.5 : rng.nextFloat() * 4 - 1 }
        let b = (0..<(k * n)).map { _ in Int8(truncatingIfNeeded: rng.below(255) - 127) }
        let ones = [Float](repeating: 1, count: n)
        let packed = b.withUnsafeBufferPointer { bp in ones.withUnsafeBufferPointer { PackedInt8Matrix(values: bp.baseAddress!, scales: $0.baseAddress!, k: k, n: n) } }
        let scratch = Int8Gemm.Scratch(m: m, b: packed)
        defer { scratch.deallocate() }
        var c = [Float](repeating: .nan, count: m * n)
        Int8Gemm.multiply(a: a, lda: k, m: m, b: packed, c: &c, ldc: n, scratch: scratch, activations: .perTensor, threads: 1, kernel: kernel)
        var q = [UInt8](repeating: 0, count: m * k)
        let (scale, zero) = LinearQuantization.dynamicQuantize(a, count: a.count, into: &q)
        let integers = Self.integerReference(a: q, zeros: [Int32](repeating: Int32(zero), count: m), b: b, m: m, n: n, k: k)
        let want = integers.map { Float($0) * (scale * 1) }
        #expect(c == want, "\(kernel): per-tensor result differs from DynamicQuantizeLinear + integer product")
        #expect(Set(c).count > c.count / 2)
    }

    /// Which variants run is what cpuid says (/proc/cpuinfo's flags on Linux), and the chosen one
    /// is the best of them; variants the CPU lacks are named, so a log shows what was not run.
    @Test func availableVariantsFollowTheCPU() {
        let flags = CPUFeatures.current.flags
        #expect(Int8Kernel.avx512.isAvailable == flags.contains("avx512_vnni"))
        #expect(Int8Kernel.avx2.isAvailable == (flags.contains("avx2") && flags.contains("fma")))
        #expect(Int8Kernel.chosen == Int8Kernel.available.last)
        let missing = Int8Kernel.allCases.filter { !$0.isAvailable }.map(\.name)
        print("Int8GemmTests: variants run here: \(Int8Kernel.available.map(\.name)); not run (CPU lacks them): \(missing)")
    }
}

/// Weights quantized per column, symmetric, as the compiler's int8 conversion states it:
/// scale = max|w| / 127 (1 for an all-zero column), values round(w / scale) in [-127, 127].
enum LinearQuantizationReference {
    static func perColumnSymmetric(_ w: [Float], k: Int, n: Int) -> ([Int8], [Float]) {
        var scales = [Float](repeating: 1, count: n), q = [Int8](repeating: 0, count: k * n)
        for j in 0..<n {
            let peak = (0..<k).map { abs(w[$0 * n + j]) }.max() ?? 0
            scales[j] = peak > 0 ? peak / 127 : 1
            for i in 0..<k { q[i * n + j] = Int8(max(-127, min(127, (w[i * n + j] / scales[j]).rounded(.toNearestOrEven)))) }
        }
        return (q, scales)
    }
}
