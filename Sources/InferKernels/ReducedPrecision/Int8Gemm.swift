import CReducedPrecision

/// A constant `[K, N]` int8 matrix with one scale per column, packed once for the int8 GEMM:
/// 16-column panels with K in quads (the layout CReducedPrecision.h describes), 64-byte aligned,
/// with each column's sum (the zero-point correction) and scale padded to whole panels.
package final class PackedInt8Matrix: @unchecked Sendable {
    package let k: Int
    package let n: Int
    /// K padded to a multiple of 4: the row length of quantized A too.
    package let depth: Int
    package let panels: Int
    let storage: UnsafeMutablePointer<Int8>
    let columnSums: UnsafeMutablePointer<Int32>
    let columnScales: UnsafeMutablePointer<Float>

    /// The most K the int32 sums hold exactly.
    package static let maximumDepth = Int(CINFER_INT8_MAX_DEPTH)

    /// Packs `values[i * n + j]` = B[i][j], with `scales[j]` the dequantization scale of column j;
    /// with `transposed`, `values[j * k + i]` = B[i][j] (a `[N, K]` matrix such as conv weights).
    package init(values: UnsafePointer<Int8>, scales: UnsafePointer<Float>, k: Int, n: Int, transposed: Bool = false) {
        precondition(k <= Self.maximumDepth, "int8 GEMM depth \(k) exceeds \(Self.maximumDepth)")
        (self.k, self.n) = (k, n)
        depth = cinfer_int8_depth(k)
        panels = (n + 15) / 16
        let count = max(64, cinfer_int8_packed_count(k, n)), padded = max(16, panels * 16)
        storage = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64).bindMemory(to: Int8.self, capacity: count)
        storage.initialize(repeating: 0, count: count)
        columnSums = .allocate(capacity: padded)
        columnSums.initialize(repeating: 0, count: padded)
        columnScales = .allocate(capacity: padded)
        columnScales.initialize(repeating: 0, count: padded)
        columnScales.update(from: scales, count: n)
        let (rowStride, columnStride) = transposed ? (1, k) : (n, 1)
        cinfer_int8_pack_b(values, rowStride, columnStride, k, n, storage, columnSums)
    }

    deinit {
        storage.deallocate()
        columnSums.deallocate()
        columnScales.deallocate()
    }
}

/// C[m x n] = dequantized(quantize(A) x B), B a `PackedInt8Matrix`: A is quantized to uint8 into
/// `scratch` (per row, or as one tensor by ONNX DynamicQuantizeLinear's rule), then the chosen
/// variant multiplies in int32 and scales, column panels split across threads.
package enum Int8Gemm {
    /// How A is quantized on each run.
    package enum ActivationQuantization: String, Sendable, CaseIterable {
        /// Each row its own scale and zero point (`cinfer_int8_quantize_rows`): the compiler's choice.
        case perRow = "row"
        /// One scale and zero point for all of A, exactly as DynamicQuantizeLinear computes them:
        /// what a fused ONNX Runtime quantize_dynamic chain computed unfused.
        case perTensor = "tensor"
    }

    /// Scratch one multiply needs for m rows of A against `b`.
    package struct Scratch {
        package let rows: UnsafeMutablePointer<UInt8>
        package let scales: UnsafeMutablePointer<Float>
        package let zeros: UnsafeMutablePointer<Int32>
        package init(m: Int, b: PackedInt8Matrix) {
            let m = max(1, m)
            rows = .allocate(capacity: m * max(4, b.depth))
            rows.initialize(repeating: 0, count: m * max(4, b.depth))
            scales = .allocate(capacity: m)
            scales.initialize(repeating: 0, count: m)
            zeros = .allocate(capacity: m)
            zeros.initialize(repeating: 0, count: m)
        }
        package func deallocate() {
            rows.deallocate()
            scales.deallocate()
            zeros.deallocate()
        }
    }

    /// `a` row i at `a + i * lda` (k floats); `c` row i at `c + i * ldc` (n floats, overwritten),
    /// plus `columnBias[j]` (n floats) when given, in the same pass.
    package static func multiply(a: UnsafePointer<Float>, lda: Int, m: Int, b: PackedInt8Matrix,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, scratch: Scratch, columnBias: UnsafePointer<Float>? = nil,
                                 activations: ActivationQuantization = .perRow, threads: Int, kernel: Int8Kernel = .chosen) {
        guard m > 0, b.n > 0 else { return }
        let (k, depth) = (b.k, b.depth)
        if activations == .perTensor {
            quantizeAsOneTensor(a: a, lda: lda, m: m, k: k, depth: depth, scratch: scratch, kernel: kernel)
        } else {
            let quantize = kernel.quantizeRows
            ParallelFor.run(count: m, work: 2 * m * k, threads: threads) { rows in
                let first = rows.lowerBound
                quantize(a + first * lda, lda, rows.count, k, depth, scratch.rows + first * depth,
                         scratch.scales + first, scratch.zeros + first)
            }
        }
        let gemm = kernel.gemm
        // Groups of 4 panels per chunk, so the kernel's 64-column blocks stay whole.
        let groups = (b.panels + 3) / 4
        ParallelFor.run(count: groups, work: m * b.n * k / 4, threads: threads, chunksPerThread: 1) { range in
            let begin = 4 * range.lowerBound, end = min(b.panels, 4 * range.upperBound)
            gemm(scratch.rows, m, depth, scratch.scales, scratch.zeros, b.storage, b.columnSums, b.columnScales,
                 columnBias, b.n, begin, end, c, ldc)
        }
    }

    /// A quantized by DynamicQuantizeLinear's rule (`LinearQuantization`), every row given the one
    /// scale and zero point: on AVX-512 unless an element is not finite, where (as on the
    /// portable variant) the Swift definition itself runs, so the bits always match it.
    private static func quantizeAsOneTensor(a: UnsafePointer<Float>, lda: Int, m: Int, k: Int, depth: Int,
                                            scratch: Scratch, kernel: Int8Kernel) {
        var lo: Float = 0, hi: Float = 0
        let vector = kernel == .avx512 && cinfer_int8_tensor_range_avx512(a, lda, m, k, &lo, &hi) == 1
        if !vector {
            (lo, hi) = (0, 0)
            for i in 0..<m { for j in 0..<k { lo = min(lo, a[i * lda + j]); hi = max(hi, a[i * lda + j]) } }
        }
        let (scale, zero) = LinearQuantization.dynamicParameters(lo: lo, hi: hi)
        if vector {
            cinfer_int8_quantize_tensor_avx512(a, lda, m, k, depth, scratch.rows, scale, Int32(zero))
        } else {
            let z = Float(zero)
            for i in 0..<m {
                let row = scratch.rows + i * depth
                for j in 0..<k { row[j] = LinearQuantization.quantized(a[i * lda + j], scale: scale, zero: z, as: UInt8.self) }
                for j in k..<depth { row[j] = 0 }
            }
        }
        scratch.scales.update(repeating: scale, count: m)
        scratch.zeros.update(repeating: Int32(zero), count: m)
    }
}
