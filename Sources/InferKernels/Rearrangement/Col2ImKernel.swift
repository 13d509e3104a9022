/// Col2Im: sums sliding blocks [N, C*K, L] back into images [N, C, image...] (the inverse
/// layout of im2col; overlapping blocks add). Any number of spatial dims.
package enum Col2ImKernel {
    /// For every (kernel position, block) pair in the input's [K, L] order, the element offset
    /// in one image, or -1 when it falls in the padding. Also the blocks per spatial dim.
    package static func offsets(image: [Int], block: [Int], dilations: [Int], padsBegin: [Int], padsEnd: [Int],
                                strides: [Int]) -> (table: [Int], blocks: [Int]) {
        let n = image.count
        let blocks: [Int] = (0..<n).map { (i: Int) -> Int in
            let span: Int = image[i] + padsBegin[i] + padsEnd[i] - dilations[i] * (block[i] - 1) - 1
            return span / strides[i] + 1
        }
        let kernelSize = block.reduce(1, *), blockCount = blocks.reduce(1, *)
        guard blocks.allSatisfy({ $0 > 0 }) else { return ([], blocks) }
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
        return (table, blocks)
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
