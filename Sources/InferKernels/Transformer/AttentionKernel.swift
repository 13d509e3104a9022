
/// Scaled dot-product attention over a batch of (batch, head) matrices:
/// `out_b = softmax(mask(scale * Q_b · K_bᵀ)) · V_b`, one GEMM for the scores (scale folded into
/// alpha), the mask and a row softmax on a scratch `[rows, cols]`, one GEMM with V.
///
/// Every operand is addressed per batch entry by an element offset (broadcast batches repeat an
/// offset). `rows`/`cols` may exceed `sq`/`sk` only when they are 1 (the mask broadcast the scores).
package enum AttentionKernel {
    package enum Mask {
        case none
        /// scores + mask
        case add(UnsafePointer<Float>)
        /// mask ? scores : fill
        case select(UnsafePointer<UInt8>, fill: Float)
    }

    package struct Geometry: Sendable {
        package var sq: Int, sk: Int, depth: Int, valueDepth: Int
        /// Scores after broadcasting with the mask.
        package var rows: Int, cols: Int
        package var kTransposed: Bool
        package var scale: Float
        /// The mask's element strides along the score rows and columns (0 when broadcast).
        package var maskRowStride: Int, maskColumnStride: Int

        package init(sq: Int, sk: Int, depth: Int, valueDepth: Int, rows: Int, cols: Int, kTransposed: Bool, scale: Float,
                     maskRowStride: Int = 0, maskColumnStride: Int = 0) {
            self.sq = sq; self.sk = sk; self.depth = depth; self.valueDepth = valueDepth
            self.rows = rows; self.cols = cols; self.kTransposed = kTransposed; self.scale = scale
            self.maskRowStride = maskRowStride; self.maskColumnStride = maskColumnStride
        }

        /// Floats of scratch one batch entry needs.
        package var scratchCount: Int { rows * cols + (rows != sq || cols != sk ? sq * sk : 0) }
    }

    /// Offsets (elements) of each batch entry's Q, K, V and mask matrices.
    package struct BatchOffsets: Sendable {
        package var q: [Int], k: [Int], v: [Int], mask: [Int]
        package init(q: [Int], k: [Int], v: [Int], mask: [Int]) { self.q = q; self.k = k; self.v = v; self.mask = mask }
        package var count: Int { q.count }
    }

    /// Runs every batch entry in turn, reusing `scratch` (`geometry.scratchCount` floats).
    /// Entries run one after another: OpenBLAS threads each GEMM itself, and calling it from
    /// several threads at once made its worker threads spin against each other (measured: most
    /// of the time in `exec_blas_async` on bert/gpt at 2 threads).
    package static func attention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, mask: Mask,
                                  out: UnsafeMutablePointer<Float>, geometry g: Geometry, offsets: BatchOffsets,
                                  scratch: UnsafeMutablePointer<Float>) {
        for b in 0..<offsets.count {
            entry(q: q + offsets.q[b], k: k + offsets.k[b], v: v + offsets.v[b], mask: mask, maskOffset: offsets.mask[b],
                  out: out + b * g.rows * g.valueDepth, g, scratch: scratch)
        }
    }

    @inline(__always)
    private static func entry(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, mask: Mask,
                              maskOffset: Int, out: UnsafeMutablePointer<Float>, _ g: Geometry,
                              scratch: UnsafeMutablePointer<Float>) {
        let probabilities = scratch
        let expands = g.rows != g.sq || g.cols != g.sk
        let scores = expands ? scratch + g.rows * g.cols : scratch
        BLAS.gemm(transA: false, transB: !g.kTransposed, m: g.sq, n: g.sk, k: g.depth, alpha: g.scale,
                  a: q, lda: g.depth, b: k, ldb: g.kTransposed ? g.sk : g.depth, beta: 0, c: scores, ldc: g.sk)
        if expands {
            // The mask broadcast a size-1 score dim: repeat that row / column.
            for r in 0..<g.rows {
                let src = scores + (g.sq == 1 ? 0 : r) * g.sk, dst = probabilities + r * g.cols
                for c in 0..<g.cols { dst[c] = src[g.sk == 1 ? 0 : c] }
            }
        }
        switch mask {
        case .none: break
        case .add(let m):
            for r in 0..<g.rows {
                let row = probabilities + r * g.cols, mr = m + maskOffset + r * g.maskRowStride
                if g.maskColumnStride == 1 {
                    for c in 0..<g.cols { row[c] += mr[c] }
                } else {
                    for c in 0..<g.cols { row[c] += mr[c * g.maskColumnStride] }
                }
            }
        case .select(let m, let fill):
            for r in 0..<g.rows {
                let row = probabilities + r * g.cols, mr = m + maskOffset + r * g.maskRowStride
                for c in 0..<g.cols where mr[c * g.maskColumnStride] == 0 { row[c] = fill }
            }
        }
        SoftmaxKernel.softmax(probabilities, outer: g.rows, n: g.cols, inner: 1, logarithmic: false, into: probabilities)
        BLAS.gemm(transA: false, transB: false, m: g.rows, n: g.valueDepth, k: g.cols, alpha: 1, a: probabilities,
                  lda: g.cols, b: v, ldb: g.valueDepth, beta: 0, c: out, ldc: g.valueDepth)
    }
}

/// Batch entries write disjoint outputs and scratch slices; only inputs are shared.
