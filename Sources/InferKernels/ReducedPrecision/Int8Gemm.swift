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

    /// Packs `values[i * n + j]` = B[i][j], with `scales[j]` the dequantization scale of column j.
    package init(values: UnsafePointer<Int8>, scales: UnsafePointer<Float>, k: Int, n: Int) {
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
        cinfer_int8_pack_b(values, n, 1, k, n, storage, columnSums)
    }

    deinit {
        storage.deallocate()
        columnSums.deallocate()
        columnScales.deallocate()
    }
}

/// C[m x n] = dequantized(quantize_per_row(A) x B), B a `PackedInt8Matrix`: A's rows are
/// quantized to uint8 into `scratch`, then the chosen variant multiplies in int32 and scales,
/// column panels split across threads.
package enum Int8Gemm {
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
                                 threads: Int, kernel: Int8Kernel = .chosen) {
        guard m > 0, b.n > 0 else { return }
        let (k, depth) = (b.k, b.depth)
        let quantize = kernel == .portable ? cinfer_int8_quantize_rows : cinfer_int8_quantize_rows_avx512
        ParallelFor.run(count: m, work: 2 * m * k, threads: threads) { rows in
            let first = rows.lowerBound
            quantize(a + first * lda, lda, rows.count, k, depth, scratch.rows + first * depth,
                     scratch.scales + first, scratch.zeros + first)
        }
        let gemm = kernel == .portable ? cinfer_int8_gemm_portable : cinfer_int8_gemm_avx512
        // Groups of 4 panels per chunk, so the kernel's 64-column blocks stay whole.
        let groups = (b.panels + 3) / 4
        ParallelFor.run(count: groups, work: m * b.n * k / 4, threads: threads, chunksPerThread: 1) { range in
            let begin = 4 * range.lowerBound, end = min(b.panels, 4 * range.upperBound)
            gemm(scratch.rows, m, depth, scratch.scales, scratch.zeros, b.storage, b.columnSums, b.columnScales,
                 columnBias, b.n, begin, end, c, ldc)
        }
    }
}
