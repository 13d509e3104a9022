/// Col2Im: sums sliding blocks [N, C*K, L] back into images [N, C, image...] (the inverse
/// layout of im2col; overlapping blocks add). Any number of spatial dims.
package enum Col2ImKernel {
    /// The blocks per spatial dim, each (image + pads - dilation (block - 1) - 1) / stride + 1;
    /// nil when a step overflows (hostile attributes), so the caller can refuse by name.
    package static func blockCounts(image: [Int], block: [Int], dilations: [Int], padsBegin: [Int], padsEnd: [Int],
                                    strides: [Int]) -> [Int]? {
        var blocks: [Int] = []
        for i in image.indices {
            let (reach, o1) = dilations[i].multipliedReportingOverflow(by: block[i] - 1)
            let (padded, o2) = image[i].addingReportingOverflow(padsBegin[i])
            let (total, o3) = padded.addingReportingOverflow(padsEnd[i])
            guard !o1, !o2, !o3 else { return nil }
            blocks.append((total - reach - 1) / strides[i] + 1)
        }
        return blocks
    }

    /// For every (kernel position, block) pair in the input's [K, L] order, the element offset
    /// in one image, or -1 when it falls in the padding; `blocks` from `blockCounts`. The caller
    /// has checked the table's size against the input it indexes (K x L of its elements).
    package static func offsets(image: [Int], block: [Int], dilations: [Int], padsBegin: [Int], padsEnd: [Int],
                                strides: [Int], blocks: [Int]) -> [Int] {
        let n = image.count
        let kernelSize = block.reduce(1, *), blockCount = blocks.reduce(1, *)
        guard blocks.allSatisfy({ $0 > 0 }) else { return [] }
        var table = [Int](repeating: -1, count: kernelSize * blockCount)
        var kernelIndex = [Int](repeating: 0, count: n), blockIndex = [Int](repeating: 0, count: n)
        for k in 0..<kernelSize {
            var rest = k
            for i in stride(from: n - 1, through: 0, by: -1) { kernelIndex[i] = rest % block[i]; rest /= block[i] }
            for l in 0..<blockCount {
                var rest = l
                for i in stride(from: n - 1, through: 0, by: -1) { blockIndex[i] = rest % blocks[i]; rest /= blocks[i] }
                var offset = 0, inside = true
                for i in 0..<n {
                    let p = blockIndex[i] * strides[i] - padsBegin[i] + kernelIndex[i] * dilations[i]
                    if p < 0 || p >= image[i] { inside = false; break }
                    offset = offset * image[i] + p
                }
                if inside { table[k * blockCount + l] = offset }
            }
        }
        return table
    }

    /// out[nc, table[j]] += in[nc, j] for each of `planes` (N*C) planes; `out` starts zeroed.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func run<T: AdditiveArithmetic>(_ input: UnsafePointer<T>, _ output: UnsafeMutablePointer<T>,
                                                   planes: Int, table: [Int], imageSize: Int) {
        let columns = table.count
        table.withUnsafeBufferPointer { offsets in
            for plane in 0..<planes {
                let src = input + plane * columns, dst = output + plane * imageSize
                for j in 0..<columns where offsets[j] >= 0 { dst[offsets[j]] += src[j] }
            }
        }
    }
}
