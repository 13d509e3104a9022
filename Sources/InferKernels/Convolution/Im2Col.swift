/// im2col and its adjoint col2im over a canonical 3-D window (see `WindowGeometry`).
/// The column matrix is [channels * kernelSize, outputSize], row-major: row (c, kd, kh, kw)
/// holds, for every output position, the input element that kernel tap sees (0 in padding).
package enum Im2Col {
    package static func im2col(input: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry,
                               columns: UnsafeMutablePointer<Float>) {
        var dst = columns
        for c in 0..<channels {
            let plane = input + c * g.inputSize
            for kd in 0..<g.kD {
                for kh in 0..<g.kH {
                    for kw in 0..<g.kW {
                        let offW = kw * g.dW - g.pW
                        let (lo, hi) = g.validColumns(offset: offW)
                        for od in 0..<g.outD {
                            let id = od * g.sD - g.pD + kd * g.dD
                            for oh in 0..<g.outH {
                                let ih = oh * g.sH - g.pH + kh * g.dH
                                if id < 0 || id >= g.inD || ih < 0 || ih >= g.inH {
                                    dst.update(repeating: 0, count: g.outW)
                                } else {
                                    let src = plane + (id * g.inH + ih) * g.inW + offW
                                    if lo > 0 { dst.update(repeating: 0, count: lo) }
                                    if g.sW == 1 {
                                        (dst + lo).update(from: src + lo, count: hi - lo)
                                    } else {
                                        for ow in lo..<hi { dst[ow] = src[ow * g.sW] }
                                    }
                                    if hi < g.outW { (dst + hi).update(repeating: 0, count: g.outW - hi) }
                                }
                                dst += g.outW
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds every column entry back into the image position it came from (the output must
    /// be initialized): ConvTranspose's scatter step.
    package static func col2im(columns: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry,
                               image: UnsafeMutablePointer<Float>) {
        var src = columns
        for c in 0..<channels {
            let plane = image + c * g.inputSize
            for kd in 0..<g.kD {
                for kh in 0..<g.kH {
                    for kw in 0..<g.kW {
                        let offW = kw * g.dW - g.pW
                        let (lo, hi) = g.validColumns(offset: offW)
                        for od in 0..<g.outD {
                            let id = od * g.sD - g.pD + kd * g.dD
                            for oh in 0..<g.outH {
                                let ih = oh * g.sH - g.pH + kh * g.dH
                                if id >= 0, id < g.inD, ih >= 0, ih < g.inH {
                                    let dst = plane + (id * g.inH + ih) * g.inW + offW
                                    for ow in lo..<hi { dst[ow * g.sW] += src[ow] }
                                }
                                src += g.outW
                            }
                        }
                    }
                }
            }
        }
    }
}
