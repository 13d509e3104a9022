import Testing
@testable import InferKernels

// Kernel-level checks of the reduction iteration plan and the transpose it relies on.

@Suite struct ReductionKernelTests {
    /// [outer, reduced, inner] of an in-place layout (nil when a transpose is needed).
    func plan(_ shape: [Int], _ axes: [Int]) -> [Int]? {
        let l = ReductionLayout(shape: shape, axes: axes)
        return l.permutation == nil ? [l.outer, l.reduced, l.inner] : nil
    }

    @Test func layoutMergesAdjacentAxes() {
        #expect(plan([2, 3, 4], [2]) == [6, 4, 1])
        #expect(plan([2, 3, 4], [1]) == [2, 3, 4])
        #expect(plan([2, 3, 4, 5], [1, 2]) == [2, 12, 5])
        #expect(plan([2, 3, 4], []) == [24, 1, 1])
        // Size-1 dims between reduced axes do not split the block.
        #expect(plan([2, 3, 1, 4, 5], [1, 3]) == [2, 12, 5])
        // Non-adjacent axes need the transpose.
        let split = ReductionLayout(shape: [2, 3, 4], axes: [0, 2])
        #expect(split.permutation == [1, 0, 2] && split.outer == 3 && split.reduced == 8 && split.inner == 1)
    }

    @Test func transposeMatchesIndexArithmetic() {
        let shape = [2, 3, 4]
        let src = (0..<24).map(Float.init)
        for perm in [[0, 1, 2], [2, 1, 0], [1, 0, 2], [0, 2, 1], [2, 0, 1]] {
            var dst = [Float](repeating: -1, count: 24)
            src.withUnsafeBufferPointer { s in
                dst.withUnsafeMutableBufferPointer { d in
                    ReductionTranspose.permute(s.baseAddress!, shape: shape, permutation: perm, into: d.baseAddress!)
                }
            }
            let outShape = perm.map { shape[$0] }
            var expected: [Float] = []
            for i in 0..<outShape[0] { for j in 0..<outShape[1] { for k in 0..<outShape[2] {
                var index = [0, 0, 0]
                index[perm[0]] = i; index[perm[1]] = j; index[perm[2]] = k
                expected.append(Float(index[0] * 12 + index[1] * 4 + index[2]))
            } } }
            #expect(dst == expected, "perm \(perm)")
        }
    }

    @Test func reduceContiguousRowsWithTail() {
        // Lengths around the 8-way unrolling.
        for n in [0, 1, 7, 8, 9, 17] {
            let src = (0..<(3 * n)).map { Float($0 % 5) - 2 }
            var dst = [Float](repeating: 0, count: 3)
            for op in [ReduceOperation.sum, .max, .min, .sumSquare] {
                src.withUnsafeBufferPointer { s in
                    dst.withUnsafeMutableBufferPointer { d in
                        ReduceKernel.reduce(op, s.baseAddress ?? UnsafePointer(bitPattern: 64)!, shape: [3, n], axes: [1],
                                            into: d.baseAddress!)
                    }
                }
                let expected: [Float] = (0..<3).map { r in
                    let row = src[(r * n)..<((r + 1) * n)]
                    switch op {
                    case .sum: return row.reduce(0, +)
                    case .max: return row.max() ?? -.infinity
                    case .min: return row.min() ?? .infinity
                    default: return row.reduce(0) { $0 + $1 * $1 }
                    }
                }
                #expect(dst == expected, "\(op) n \(n)")
            }
        }
    }
}
