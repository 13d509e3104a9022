import Dispatch

/// How a reduction over some axes of a row-major tensor is iterated: as `[outer, reduced, inner]`
/// with the reduced block in the middle (so the inner loop stays contiguous), after an
/// optional transpose when the reduced axes are not one contiguous block.
package struct ReductionLayout: Equatable, Sendable {
    package let outer: Int
    package let reduced: Int
    package let inner: Int
    /// nil when the reduced axes (ignoring size-1 dims) are adjacent; otherwise the permutation
    /// that moves the kept axes first and the reduced axes last (then `inner == 1`).
    package let permutation: [Int]?

    /// `axes` must be valid, non-negative axes of `shape`.
    package init(shape: [Int], axes: [Int]) {
        let reducedSet = Set(axes)
        // Merge runs of dims with the same role; size-1 dims fit either role.
        var groups: [(size: Int, reduced: Bool)] = []
        for (d, size) in shape.enumerated() where size != 1 {
            let isReduced = reducedSet.contains(d)
            if let last = groups.last, last.reduced == isReduced {
                groups[groups.count - 1].size = last.size * size
            } else {
                groups.append((size, isReduced))
            }
        }
        let reducedGroups = groups.indices.filter { groups[$0].reduced }
        if reducedGroups.count <= 1 {
            let g = reducedGroups.first
            outer = g.map { groups[..<$0].reduce(1) { $0 * $1.size } } ?? groups.reduce(1) { $0 * $1.size }
            reduced = g.map { groups[$0].size } ?? 1
            inner = g.map { groups[($0 + 1)...].reduce(1) { $0 * $1.size } } ?? 1
            permutation = nil
        } else {
            let kept = shape.indices.filter { !reducedSet.contains($0) }
            let moved = shape.indices.filter { reducedSet.contains($0) }
            outer = kept.reduce(1) { $0 * shape[$1] }
            reduced = moved.reduce(1) { $0 * shape[$1] }
            inner = 1
            permutation = kept + moved
        }
    }
}

/// Row-major transpose: `dst` receives `src` (of `shape`) with its axes reordered by `permutation`
/// (output axis i is input axis `permutation[i]`). The innermost output axis is the inner loop.
package enum ReductionTranspose {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    package static func permute<T>(_ src: UnsafePointer<T>, shape: [Int], permutation: [Int],
                                   into dst: UnsafeMutablePointer<T>) {
        let rank = shape.count
        let total = shape.reduce(1, *)
        guard total > 0 else { return }
        guard rank > 0 else { dst[0] = src[0]; return }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        // The innermost output axis is a strided run; the outer output axes are walked by MultiIndex.
        let last = shape[permutation[rank - 1]], lastStride = inStrides[permutation[rank - 1]]
        let outerDims = permutation.dropLast().map { shape[$0] }
        let outerStrides = permutation.dropLast().map { inStrides[$0] }
        MultiIndex.forEach(0..<total / last, dims: outerDims, strides: outerStrides) { row, offset in
            var p = src + offset, out = dst + row * last
            for _ in 0..<last { out.initialize(to: p.pointee); out += 1; p += lastStride }
        }
    }
}
