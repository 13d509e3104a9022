/// Row-major walks over a multi-index (the last dim fastest), for the kernels that step through
/// a tensor one position at a time: an odometer instead of a division per position.
package enum MultiIndex {
    /// Steps `index` to the next position within `shape`; after the last position it wraps to all zeros.
    @inline(__always)
    package static func increment(_ index: inout [Int], within shape: [Int]) {
        var d = shape.count - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { return }
            index[d] = 0
            d -= 1
        }
    }

    /// Calls `body(position, offset)` for each flat position in `range` of a row-major walk over
    /// `dims`, where `offset` is the dot product of the position's multi-index with `strides`
    /// (one stride per dim). The multi-index lives on the stack, so each step costs O(1)
    /// amortized and allocates nothing: this runs inside steady-state inference loops.
    @inline(__always)
    package static func forEach(_ range: Range<Int>, dims: [Int], strides: [Int], _ body: (_ position: Int, _ offset: Int) -> Void) {
        let rank = dims.count
        // An empty range may come with a zero dim, which the start position below would divide by.
        if range.isEmpty { return }
        if rank == 0 {
            for position in range { body(position, 0) }
            return
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { counter in
            // Start at range.lowerBound (a parallel chunk may begin mid-tensor).
            var offset = 0
            var rest = range.lowerBound
            for d in stride(from: rank - 1, through: 0, by: -1) {
                counter[d] = rest % dims[d]
                rest /= dims[d]
                offset += counter[d] * strides[d]
            }
            for position in range {
                body(position, offset)
                var d = rank - 1
                while d >= 0 {
                    counter[d] += 1
                    offset += strides[d]
                    if counter[d] < dims[d] { break }
                    offset -= counter[d] * strides[d]
                    counter[d] = 0
                    d -= 1
                }
            }
        }
    }
}
