
/// Scaled dot-product attention over a batch of (batch, head) matrices:
/// `out_b = softmax(masks(scale * Q_b · K_bᵀ)) · V_b`, one GEMM for the scores (scale folded into
/// alpha), the masks in graph order and a row softmax on a scratch `[rows, cols]`, one GEMM with V.
///
/// Every operand is addressed per batch entry by an element offset (broadcast batches repeat an
/// offset). `rows`/`cols` may exceed `sq`/`sk` only when they are 1 (a mask broadcast the scores).
package enum AttentionKernel {
    /// What one mask does to the scores, exactly as the graph op it replaces.
    package enum MaskKind: Sendable, Equatable {
        /// `scores + mask` (Add of a float bias).
        case add
        /// `mask ? scores : fill` (Where with the scores in the then-branch).
        case keep(fill: Float)
        /// `mask ? fill : scores` (Where with the scores in the else-branch, e.g. `masked_fill`).
        case drop(fill: Float)
    }

    /// One mask operand: its kind, data (float for `.add`, one byte per bool otherwise), its element
    /// strides along the score rows and columns (0 when broadcast) and the offset of each batch entry.
    package struct Mask: @unchecked Sendable {
        package var kind: MaskKind
        package var data: UnsafeRawPointer
        package var rowStride: Int, columnStride: Int
        package var offsets: [Int]

        package init(kind: MaskKind, data: UnsafeRawPointer, rowStride: Int, columnStride: Int, offsets: [Int]) {
            self.kind = kind; self.data = data; self.rowStride = rowStride; self.columnStride = columnStride
            self.offsets = offsets
        }
    }

    /// How rows that the masks leave with nothing to attend to come out.
    package struct RowGuards: Sendable, Equatable {
        /// Query row i attends key j only when j <= i (ONNX Attention's `is_causal` without a cache):
        /// -inf is added to the other scores after the masks.
        package var causal = false
        /// A row whose combined mask bias is -inf at every key gives zero probabilities (ONNX
        /// Attention's fully-masked-row rule); a mask's bias is its value (add), -inf where it
        /// removes a key with fill -inf (keep/drop), and -inf above the diagonal (causal).
        package var zeroFullyMaskedRows = false
        /// NaN probabilities become 0 (`Where(IsNaN(p), 0, p)`, which PyTorch's SDPA export writes).
        package var zeroNaNProbabilities = false

        package init(causal: Bool = false, zeroFullyMaskedRows: Bool = false, zeroNaNProbabilities: Bool = false) {
            self.causal = causal; self.zeroFullyMaskedRows = zeroFullyMaskedRows; self.zeroNaNProbabilities = zeroNaNProbabilities
        }
    }

    package struct Geometry: Sendable {
        package var sq: Int, sk: Int, depth: Int, valueDepth: Int
        /// Scores after broadcasting with the masks.
        package var rows: Int, cols: Int
        package var kTransposed: Bool
        package var scale: Float
        package var guards: RowGuards

        package init(sq: Int, sk: Int, depth: Int, valueDepth: Int, rows: Int, cols: Int, kTransposed: Bool, scale: Float,
                     guards: RowGuards = RowGuards()) {
            self.sq = sq; self.sk = sk; self.depth = depth; self.valueDepth = valueDepth
            self.rows = rows; self.cols = cols; self.kTransposed = kTransposed; self.scale = scale
            self.guards = guards
        }

        /// Floats of scratch one batch entry needs: the probabilities, the unexpanded scores when a
        /// mask widened them, and one bias row for the fully-masked-row rule.
        package var scratchCount: Int {
            rows * cols + (rows != sq || cols != sk ? sq * sk : 0) + (guards.zeroFullyMaskedRows ? cols : 0)
        }
    }

    /// Offsets (elements) of each batch entry's Q, K and V matrices.
    package struct BatchOffsets: Sendable {
        package var q: [Int], k: [Int], v: [Int]
        package init(q: [Int], k: [Int], v: [Int]) { self.q = q; self.k = k; self.v = v }
        package var count: Int { q.count }
    }

    /// Floats of scratch `attention` needs on `threads` threads.
    package static func scratchCount(_ g: Geometry, threads: Int) -> Int {
        g.scratchCount * ParallelFor.maximumParts(threads)
    }

    /// Runs every batch entry (batch x heads), the entries split over the threads, each part
    /// with its own `geometry.scratchCount` floats of `scratch` (`scratchCount(_:threads:)`).
    /// A single entry splits its GEMMs over the threads instead.
    package static func attention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, masks: [Mask],
                                  out: UnsafeMutablePointer<Float>, geometry g: Geometry, offsets: BatchOffsets,
                                  scratch: UnsafeMutablePointer<Float>, threads: Int = 1) {
        let work = offsets.count * g.rows * g.cols * (g.depth + g.valueDepth)
        if GemmRecorder.isRecording {
            GemmRecorder.record([GemmRecorder.Shape(transA: false, transB: !g.kTransposed, m: g.sq, n: g.sk, k: g.depth),
                                 GemmRecorder.Shape(transA: false, transB: false, m: g.rows, n: g.valueDepth, k: g.cols)],
                                repeats: offsets.count, threads: threads)
        }
        ParallelFor.runParts(count: offsets.count, work: work, threads: threads) { part, entries in
            for b in entries {
                entry(q: q + offsets.q[b], k: k + offsets.k[b], v: v + offsets.v[b], masks: masks, batch: b,
                      out: out + b * g.rows * g.valueDepth, g, scratch: scratch + part * g.scratchCount, threads: threads)
            }
        }
    }

    @inline(__always)
    private static func entry(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, masks: [Mask],
                              batch b: Int, out: UnsafeMutablePointer<Float>, _ g: Geometry,
                              scratch: UnsafeMutablePointer<Float>, threads: Int) {
        let probabilities = scratch
        let expands = g.rows != g.sq || g.cols != g.sk
        let scores = expands ? scratch + g.rows * g.cols : scratch
        let biasRow = scores + (expands ? g.sq * g.sk : g.rows * g.cols)
        BLAS.gemm(transA: false, transB: !g.kTransposed, m: g.sq, n: g.sk, k: g.depth, alpha: g.scale,
                  a: q, lda: g.depth, b: k, ldb: g.kTransposed ? g.sk : g.depth, beta: 0, c: scores, ldc: g.sk,
                  threads: threads, record: false)
        if expands {
            // A mask broadcast a size-1 score dim: repeat that row / column.
            for r in 0..<g.rows {
                let src = scores + (g.sq == 1 ? 0 : r) * g.sk, dst = probabilities + r * g.cols
                for c in 0..<g.cols { dst[c] = src[g.sk == 1 ? 0 : c] }
            }
        }
        for r in 0..<g.rows {
            let row = probabilities + r * g.cols
            for mask in masks { apply(mask, batch: b, row: r, to: row, cols: g.cols) }
            // Additive, like the -inf bias it stands for (so +inf + -inf is NaN, as in the graph).
            if g.guards.causal, r + 1 < g.cols { for c in (r + 1)..<g.cols { row[c] += -.infinity } }
        }
        SoftmaxKernel.softmax(probabilities, outer: g.rows, n: g.cols, inner: 1, logarithmic: false, into: probabilities)
        if g.guards.zeroNaNProbabilities {
            for i in 0..<(g.rows * g.cols) where probabilities[i].isNaN { probabilities[i] = 0 }
        }
        if g.guards.zeroFullyMaskedRows {
            for r in 0..<g.rows where isFullyMasked(row: r, masks: masks, batch: b, g, bias: biasRow) {
                let row = probabilities + r * g.cols
                for c in 0..<g.cols { row[c] = 0 }
            }
        }
        BLAS.gemm(transA: false, transB: false, m: g.rows, n: g.valueDepth, k: g.cols, alpha: 1, a: probabilities,
                  lda: g.cols, b: v, ldb: g.valueDepth, beta: 0, c: out, ldc: g.valueDepth, threads: threads, record: false)
    }

    /// One mask on one score row.
    @inline(__always)
    private static func apply(_ mask: Mask, batch b: Int, row r: Int, to row: UnsafeMutablePointer<Float>, cols: Int) {
        let start = mask.offsets[b] + r * mask.rowStride, stride = mask.columnStride
        switch mask.kind {
        case .add:
            let m = mask.data.assumingMemoryBound(to: Float.self) + start
            if stride == 1 {
                for c in 0..<cols { row[c] += m[c] }
            } else {
                for c in 0..<cols { row[c] += m[c * stride] }
            }
        case .keep(let fill):
            let m = mask.data.assumingMemoryBound(to: UInt8.self) + start
            for c in 0..<cols where m[c * stride] == 0 { row[c] = fill }
        case .drop(let fill):
            let m = mask.data.assumingMemoryBound(to: UInt8.self) + start
            for c in 0..<cols where m[c * stride] != 0 { row[c] = fill }
        }
    }

    /// Whether the masks' summed bias (see `RowGuards.zeroFullyMaskedRows`) is -inf at every key of row r.
    private static func isFullyMasked(row r: Int, masks: [Mask], batch b: Int, _ g: Geometry,
                                      bias: UnsafeMutablePointer<Float>) -> Bool {
        for c in 0..<g.cols { bias[c] = g.guards.causal && c > r ? -.infinity : 0 }
        for mask in masks {
            let start = mask.offsets[b] + r * mask.rowStride, stride = mask.columnStride
            switch mask.kind {
            case .add:
                let m = mask.data.assumingMemoryBound(to: Float.self) + start
                for c in 0..<g.cols { bias[c] += m[c * stride] }
            case .keep(let fill), .drop(let fill):
                guard fill == -.infinity else { continue }
                let m = mask.data.assumingMemoryBound(to: UInt8.self) + start
                let removeWhenSet = mask.kind == .drop(fill: fill)
                for c in 0..<g.cols where (m[c * stride] != 0) == removeWhenSet { bias[c] += -.infinity }
            }
        }
        for c in 0..<g.cols where bias[c] != -.infinity { return false }
        return true
    }
}
