/// Einsum by direct summation over every label assignment, in Double: clear and general
/// (diagonals, broadcasting, any number of operands) rather than fast.
package enum EinsteinSum {
    /// `operands[k]` has one label per dim in `labels[k]` (labels are small integers `0..<sizes.count`);
    /// `outputLabels` lists the output's dims. A size-1 operand dim broadcasts against its label's size.
    package static func run(operands: [UnsafePointer<Double>], shapes: [[Int]], labels: [[Int]], sizes: [Int],
                            outputLabels: [Int], into out: UnsafeMutablePointer<Double>) {
        let total = sizes.reduce(1, *)
        let outputCount = outputLabels.map { sizes[$0] }.reduce(1, *)
        for i in 0..<outputCount { out[i] = 0 }
        guard total > 0 else { return }
        // Per label: the element stride it contributes to each operand (0 where the operand broadcasts).
        let strides: [[Int]] = shapes.indices.map { k in
            var perLabel = [Int](repeating: 0, count: sizes.count)
            var step = 1
            for d in stride(from: shapes[k].count - 1, through: 0, by: -1) {
                if shapes[k][d] != 1 { perLabel[labels[k][d]] += step }
                step *= shapes[k][d]
            }
            return perLabel
        }
        var outputStride = [Int](repeating: 0, count: sizes.count)
        var step = 1
        for label in outputLabels.reversed() { outputStride[label] = step; step *= sizes[label] }
        var index = [Int](repeating: 0, count: sizes.count)
        for _ in 0..<total {
            var product = 1.0, o = 0
            for k in operands.indices {
                var offset = 0
                for l in 0..<sizes.count { offset += index[l] * strides[k][l] }
                product *= operands[k][offset]
            }
            for l in 0..<sizes.count { o += index[l] * outputStride[l] }
            out[o] += product
            MultiIndex.increment(&index, within: sizes)
        }
    }
}
