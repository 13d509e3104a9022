/// 2-D deformable convolution (DeformConv): every kernel tap of every output position reads
/// the input at its regular position plus a learned (dy, dx) offset, bilinearly interpolated
/// with zeros outside, scaled by the optional mask, then weighted as in a grouped Conv.
/// Shapes: input [N, C, H, W], weight [OC, C/group, KH, KW], offset [N, offsetGroups*KH*KW*2, OH, OW]
/// ((dy, dx) pairs per tap), mask [N, offsetGroups*KH*KW, OH, OW], bias [OC].
package struct DeformConvGeometry: Sendable {
    package var batch, channels, height, width: Int
    package var outChannels, kernelH, kernelW, outH, outW: Int
    package var group, offsetGroup: Int
    package var padTop, padLeft, strideH, strideW, dilationH, dilationW: Int
    package init(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, kernelH: Int, kernelW: Int,
                 outH: Int, outW: Int, group: Int, offsetGroup: Int, padTop: Int, padLeft: Int,
                 strideH: Int, strideW: Int, dilationH: Int, dilationW: Int) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernelH = kernelH; self.kernelW = kernelW
        self.outH = outH; self.outW = outW; self.group = group; self.offsetGroup = offsetGroup
        self.padTop = padTop; self.padLeft = padLeft; self.strideH = strideH; self.strideW = strideW
        self.dilationH = dilationH; self.dilationW = dilationW
    }
}

@_specialize(where T == Float)
@_specialize(where T == Double)
package func deformConv2D<T: BinaryFloatingPoint>(
    _ g: DeformConvGeometry, input: UnsafePointer<T>, weight: UnsafePointer<T>, offset: UnsafePointer<T>,
    bias: UnsafePointer<T>?, mask: UnsafePointer<T>?, output: UnsafeMutablePointer<T>
) {
    let taps = g.kernelH * g.kernelW, outPlane = g.outH * g.outW
    let inPerGroup = g.channels / g.group, outPerGroup = g.outChannels / g.group
    let inPerOffsetGroup = g.channels / g.offsetGroup
    // Sampled columns for one input channel: [taps, outPlane].
    var columns = [Double](repeating: 0, count: taps * outPlane)
    var accumulator = [Double](repeating: 0, count: g.outChannels * outPlane)
    for b in 0..<g.batch {
        for i in 0..<accumulator.count { accumulator[i] = bias.map { Double($0[i / outPlane]) } ?? 0 }
        for c in 0..<g.channels {
            let plane = input + (b * g.channels + c) * g.height * g.width
            let og = c / inPerOffsetGroup
            let offsets = offset + (b * g.offsetGroup + og) * taps * 2 * outPlane
            let masks = mask.map { $0 + (b * g.offsetGroup + og) * taps * outPlane }
            for tap in 0..<taps {
                let kh = tap / g.kernelW, kw = tap % g.kernelW
                for oy in 0..<g.outH {
                    for ox in 0..<g.outW {
                        let p = oy * g.outW + ox
                        let y = Double(oy * g.strideH - g.padTop + kh * g.dilationH) + Double(offsets[(tap * 2) * outPlane + p])
                        let x = Double(ox * g.strideW - g.padLeft + kw * g.dilationW) + Double(offsets[(tap * 2 + 1) * outPlane + p])
                        var v = bilinearZeroPadded(plane, g.height, g.width, y, x)
                        if let masks { v *= Double(masks[tap * outPlane + p]) }
                        columns[tap * outPlane + p] = v
                    }
                }
            }
            let grp = c / inPerGroup, ci = c % inPerGroup
            for oc in (grp * outPerGroup)..<((grp + 1) * outPerGroup) {
                let w = weight + (oc * inPerGroup + ci) * taps
                for tap in 0..<taps {
                    let wv = Double(w[tap])
                    if wv == 0 { continue }
                    for p in 0..<outPlane { accumulator[oc * outPlane + p] += wv * columns[tap * outPlane + p] }
                }
            }
        }
        let out = output + b * g.outChannels * outPlane
        for i in 0..<accumulator.count { out[i] = T(accumulator[i]) }
    }
}

/// Bilinear sample at (y, x) in pixel coordinates; taps outside the image read 0.
func bilinearZeroPadded<T: BinaryFloatingPoint>(_ plane: UnsafePointer<T>, _ height: Int, _ width: Int, _ y: Double, _ x: Double) -> Double {
    guard y.isFinite, x.isFinite, y > -1, x > -1, y < Double(height), x < Double(width) else { return 0 }
    let y0 = y.rounded(.down), x0 = x.rounded(.down)
    let ly = y - y0, lx = x - x0
    let iy = Int(y0), ix = Int(x0)
    func at(_ r: Int, _ c: Int) -> Double { r >= 0 && r < height && c >= 0 && c < width ? Double(plane[r * width + c]) : 0 }
    return (1 - ly) * ((1 - lx) * at(iy, ix) + lx * at(iy, ix + 1)) + ly * ((1 - lx) * at(iy + 1, ix) + lx * at(iy + 1, ix + 1))
}
