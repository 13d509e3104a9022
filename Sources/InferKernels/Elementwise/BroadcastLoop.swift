/// How to walk operands broadcast to one output shape, row by row.
///
/// Built from the output shape and each operand's element strides (0 on broadcast dims, as
/// `Broadcasting.strides(of:broadcastTo:)` gives them). Size-1 dims are dropped and adjacent
/// dims every operand walks contiguously are merged, so same-shape operands become one long
/// row, `x + bias[C]` becomes rows of C with both inner strides 1, and `x * scalar` one row
/// with the scalar's inner stride 0. Kernels then run a plain loop over each row.
package struct BroadcastLoop {
    /// Collapsed output dims; never empty (a scalar is `[1]`).
    package let dims: [Int]
    /// Collapsed strides, operand-major: `strides[operand * rank + dim]`.
    package let strides: [Int]
    package let operandCount: Int
    /// Total output elements.
    package let count: Int

    package var rank: Int { dims.count }
    /// Length of each row (the innermost collapsed dim).
    package var rowLength: Int { dims[dims.count - 1] }
    /// Stride of `operand` along a row: 1 (contiguous), 0 (broadcast) or, rarely, something else.
    @inline(__always) package func innerStride(_ operand: Int) -> Int { strides[operand * dims.count + dims.count - 1] }

    package init(shape: [Int], operandStrides: [[Int]]) {
        precondition(operandStrides.allSatisfy { $0.count == shape.count }, "one stride per output dim")
        operandCount = operandStrides.count
        count = shape.reduce(1, *)
        var dims: [Int] = []
        var merged = [[Int]](repeating: [], count: operandStrides.count)
        for (i, d) in shape.enumerated() where d != 1 {
            let mergeable = !dims.isEmpty && operandStrides.indices.allSatisfy { k in
                merged[k][merged[k].count - 1] == operandStrides[k][i] * d
            }
            if mergeable {
                dims[dims.count - 1] *= d
                for k in operandStrides.indices { merged[k][merged[k].count - 1] = operandStrides[k][i] }
            } else {
                dims.append(d)
                for k in operandStrides.indices { merged[k].append(operandStrides[k][i]) }
            }
        }
        if dims.isEmpty {
            dims = [1]
            merged = merged.map { _ in [0] }
        }
        self.dims = dims
        strides = merged.flatMap { $0 }
    }

    /// The runs one thread walks: whole rows, or one piece of a single row (when a few long
    /// rows are split so that every thread gets work).
    package struct Part: Sendable {
        package let rows: Range<Int>
        /// The piece of the row `rows.lowerBound`, or nil for whole rows.
        package let columns: Range<Int>?
    }

    /// Splits the output into parts for the threads (one part, inline, when it is small) and
    /// calls `part` for each; a kernel walks its part with `forEachRun(in:)`.
    @inline(__always)
    package func forEachPart(threads: Int, _ part: (Part) -> Void) {
        guard count > 0 else { return }
        let n = rowLength
        let rows = count / n
        if rows > 1, !(threads > 1 && count >= ParallelFor.minimumParallelWork && rows < threads * 4) {
            ParallelFor.run(count: rows, work: count, threads: threads) { part(Part(rows: $0, columns: nil)) }
            return
        }
        // Few long rows: split each row into pieces instead of splitting the rows.
        for row in 0..<rows {
            ParallelFor.run(count: n, work: n, threads: threads) { part(Part(rows: row..<(row + 1), columns: $0)) }
        }
    }

    /// Calls `body(offsets, outputOffset, length)` for the consecutive runs of output elements
    /// in `part`, where `offsets[k]` is operand k's element offset at the run start and the run
    /// advances each operand by `innerStride(k)`.
    @inline(__always)
    package func forEachRun(in part: Part, _ body: (_ offsets: UnsafePointer<Int>, _ outputOffset: Int, _ length: Int) -> Void) {
        guard let columns = part.columns else {
            walkRows(part.rows.lowerBound, part.rows.upperBound, body)
            return
        }
        let row = part.rows.lowerBound
        withUnsafeTemporaryAllocation(of: Int.self, capacity: operandCount) { start in
            offsets(ofRow: row, into: start.baseAddress!)
            for k in 0..<operandCount { start[k] += columns.lowerBound * innerStride(k) }
            body(UnsafePointer(start.baseAddress!), row * rowLength + columns.lowerBound, columns.count)
        }
    }

    /// `forEachRun(in:)` over every part. The body runs on the worker pool's threads when the
    /// output is split: a kernel whose body calls a closure it was given per element should
    /// use `forEachPart` and a function per part instead (see `BinaryKernels.zip`).
    @inline(__always)
    package func forEachRun(threads: Int, _ body: (_ offsets: UnsafePointer<Int>, _ outputOffset: Int, _ length: Int) -> Void) {
        forEachPart(threads: threads) { forEachRun(in: $0, body) }
    }

    /// Sequential rows `first..<end`, updating offsets with an odometer (no division per row).
    @inline(__always)
    private func walkRows(_ first: Int, _ end: Int, _ body: (UnsafePointer<Int>, Int, Int) -> Void) {
        let outer = dims.count - 1
        let n = rowLength
        withUnsafeTemporaryAllocation(of: Int.self, capacity: operandCount + max(outer, 1)) { scratch in
            let offsets = scratch.baseAddress!
            let index = offsets + operandCount
            var r = first
            for d in stride(from: outer - 1, through: 0, by: -1) {
                index[d] = r % dims[d]
                r /= dims[d]
            }
            for k in 0..<operandCount {
                var o = 0
                for d in 0..<outer { o += index[d] * strides[k * dims.count + d] }
                offsets[k] = o
            }
            for row in first..<end {
                body(UnsafePointer(offsets), row * n, n)
                var d = outer - 1
                while d >= 0 {
                    index[d] += 1
                    for k in 0..<operandCount { offsets[k] += strides[k * dims.count + d] }
                    if index[d] < dims[d] { break }
                    for k in 0..<operandCount { offsets[k] -= strides[k * dims.count + d] * dims[d] }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }

    /// Element offsets of every operand at the start of `row` (a row-major index over the outer dims).
    private func offsets(ofRow row: Int, into out: UnsafeMutablePointer<Int>) {
        var r = row
        for k in 0..<operandCount { out[k] = 0 }
        for d in stride(from: dims.count - 2, through: 0, by: -1) {
            let i = r % dims[d]
            r /= dims[d]
            for k in 0..<operandCount { out[k] += i * strides[k * dims.count + d] }
        }
    }
}
