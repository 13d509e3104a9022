import CReducedPrecision

/// A constant `[K, N]` bfloat16 matrix packed once for the bf16 GEMM: 16-column panels with K in
/// pairs, padded to a multiple of 32 (the layout CReducedPrecision.h describes), 64-byte aligned.
package final class PackedBF16Matrix: @unchecked Sendable {
    package let k: Int
    package let n: Int
    /// K padded to a multiple of 32: the row length of rounded A too.
    package let depth: Int
    package let panels: Int
    let storage: UnsafeMutablePointer<UInt16>

    /// Packs `bits[i * n + j]`, the bf16 bit pattern of B[i][j].
    package init(bits: UnsafePointer<UInt16>, k: Int, n: Int) {
        (self.k, self.n) = (k, n)
        depth = cinfer_bf16_depth(k)
        panels = (n + 15) / 16
        let count = max(1, cinfer_bf16_packed_count(k, n))
        storage = UnsafeMutableRawPointer.allocate(byteCount: count * 2, alignment: 64).bindMemory(to: UInt16.self, capacity: count)
        storage.initialize(repeating: 0, count: count)
        cinfer_bf16_pack_b(bits, n, 1, k, n, storage)
    }

    deinit { storage.deallocate() }
}

/// C[m x n] = round_bf16(A)[m x k] x B (fp32 sums), B a `PackedBF16Matrix`: A's rows are rounded
/// into `scratch`, then the chosen variant multiplies, column panels split across threads.
package enum BF16Gemm {
    /// UInt16 elements of scratch `multiply` needs: m rounded up to 16 rows (whole AMX tiles) of `depth`.
    package static func scratchCount(m: Int, b: PackedBF16Matrix) -> Int { (m + 15) / 16 * 16 * b.depth }

    /// `a` row i at `a + i * lda` (k floats); `c` row i at `c + i * ldc` (n floats, overwritten).
    package static func multiply(a: UnsafePointer<Float>, lda: Int, m: Int, b: PackedBF16Matrix,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, scratch: UnsafeMutablePointer<UInt16>,
                                 threads: Int, kernel: BF16Kernel = .chosen) {
        guard m > 0, b.n > 0 else { return }
        let (k, depth) = (b.k, b.depth)
        let round = kernel == .portable ? cinfer_bf16_round_rows : cinfer_bf16_round_rows_avx512
        ParallelFor.run(count: m, work: m * k, threads: threads) { rows in
            round(a + rows.lowerBound * lda, lda, rows.count, k, depth, scratch + rows.lowerBound * depth)
        }
        let gemm = switch kernel {
        case .portable: cinfer_bf16_gemm_portable
        case .avx512: cinfer_bf16_gemm_avx512
        case .amx: cinfer_bf16_gemm_amx
        }
        // Panel pairs per chunk, so the 2-panel blocks stay whole.
        let pairs = (b.panels + 1) / 2
        ParallelFor.run(count: pairs, work: m * b.n * k, threads: threads, chunksPerThread: 1) { range in
            let begin = 2 * range.lowerBound, end = min(b.panels, 2 * range.upperBound)
            gemm(scratch, m, depth, b.storage, b.n, begin, end, c, ldc)
        }
    }
}
