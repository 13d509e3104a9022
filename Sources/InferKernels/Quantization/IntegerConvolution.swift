/// Convolution on Int32 operands (zero points already subtracted, so padding is 0) with Int32
/// accumulation: im2col over the shared `WindowGeometry`, then an integer GEMM per group.
package enum IntegerConvolution {
    /// Columns needed: one group's [channelsPerGroup * kernelSize, outputSize].
    package static func scratchCount(inChannels: Int, group: Int, geometry g: WindowGeometry) -> Int {
        inChannels / group * g.kernelSize * g.outputSize
    }

    /// input [batch, inChannels, in...], weights [outChannels, inChannels / group, k...],
    /// output [batch, outChannels, out...]; bias (one per output channel) is added when given.
    package static func convolve(input: UnsafePointer<Int32>, weights: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                                 output: UnsafeMutablePointer<Int32>, batch: Int, inChannels: Int, outChannels: Int,
                                 group: Int, geometry g: WindowGeometry, columns: UnsafeMutablePointer<Int32>) {
        let cg = inChannels / group, mg = outChannels / group, kk = cg * g.kernelSize, spatial = g.outputSize
        for n in 0..<batch {
            for gi in 0..<group {
                Im2Col.im2col(input: input + (n * inChannels + gi * cg) * g.inputSize, channels: cg, geometry: g, columns: columns)
                let out = output + (n * outChannels + gi * mg) * spatial
                IntegerGemm.multiply(weights + gi * mg * kk, UnsafePointer(columns), m: mg, k: kk, n: spatial, into: out)
                if let bias {
                    for m in 0..<mg {
                        let b = bias[gi * mg + m], row = out + m * spatial
                        for j in 0..<spatial { row[j] = row[j] &+ b }
                    }
                }
            }
        }
    }
}
