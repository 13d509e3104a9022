/// Direct convolution for group == channels (one input channel per group, any channel
/// multiplier): im2col would copy kernelSize times the input for a tiny GEMM.
package enum DepthwiseConvolution {
    package static func run(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            output: UnsafeMutablePointer<Float>, batch: Int, channels: Int, outChannels: Int,
                            geometry g: WindowGeometry, threads: Int) {
        let multiplier = outChannels / channels
        let planes = batch * outChannels
        let work = planes * g.outputSize * g.kernelSize
        ParallelPlanes.forEach(planes, threads: threads, work: work) { plane in
            let n = plane / outChannels, m = plane % outChannels
            let x = input + (n * channels + m / multiplier) * g.inputSize
            let w = weights + m * g.kernelSize
            let y = output + plane * g.outputSize
            y.update(repeating: bias?[m] ?? 0, count: g.outputSize)
            runPlane(x: x, w: w, y: y, g)
        }
    }

    /// Kernel taps outside, output row inside: the inner loop is contiguous in the output.
    @inline(__always)
    private static func runPlane(x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                 _ g: WindowGeometry) {
        for od in 0..<g.outD {
            for oh in 0..<g.outH {
                let row = y + (od * g.outH + oh) * g.outW
                for kd in 0..<g.kD {
                    let id = od * g.sD - g.pD + kd * g.dD
                    if id < 0 || id >= g.inD { continue }
                    for kh in 0..<g.kH {
                        let ih = oh * g.sH - g.pH + kh * g.dH
                        if ih < 0 || ih >= g.inH { continue }
                        let inRow = x + (id * g.inH + ih) * g.inW
                        for kw in 0..<g.kW {
                            let wv = w[(kd * g.kH + kh) * g.kW + kw]
                            let off = kw * g.dW - g.pW
                            let (lo, hi) = g.validColumns(offset: off)
                            let src = inRow + off
                            if g.sW == 1 {
                                for ow in lo..<hi { row[ow] += wv * src[ow] }
                            } else {
                                let s = g.sW
                                for ow in lo..<hi { row[ow] += wv * src[ow * s] }
                            }
                        }
                    }
                }
            }
        }
    }
}
