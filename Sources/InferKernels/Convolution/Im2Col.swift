/// im2col and its adjoint col2im over a canonical 3-D window (see `WindowGeometry`).
/// The column matrix is [channels * kernelSize, outputSize], row-major: row (c, kd, kh, kw)
/// holds, for every output position, the input element that kernel tap sees (0 in padding).
/// Generic over the element so float convolution and integer ConvInteger/QLinearConv share it.
package enum Im2Col {
    package static func im2col<T: ExpressibleByIntegerLiteral>(input: UnsafePointer<T>, channels: Int, geometry g: WindowGeometry,
                                                                columns: UnsafeMutablePointer<T>) {
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
                                    } else if hi > lo {
                                        gather(dst + lo, src + lo * g.sW, count: hi - lo, stride: g.sW)
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

    /// `dst[j] = src[j * stride]` for j < count, where `src[(count - 1) * stride]` is the last
    /// element the caller guarantees readable. Stride 2 (ResNet's stem) takes eight at a time from
    /// the even lanes of 16 contiguous floats, while a later element (j + 8 < count) keeps that
    /// load inside the readable span.
    @inline(__always)
    static func gather<T>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafePointer<T>, count: Int, stride: Int) {
        var j = 0
        if stride == 2, T.self == Float.self {
            while j + 9 <= count {
                let v = StrideTwoLoads.evens(UnsafeRawPointer(src + 2 * j).assumingMemoryBound(to: Float.self))
                UnsafeMutableRawPointer(dst + j).storeBytes(of: v, as: SIMD8<Float>.self)
                j += 8
            }
        }
        while j < count {
            dst[j] = src[j * stride]
            j += 1
        }
    }

    // The walk below repeats im2col's loop nest on purpose. Sharing it cost instructions per
    // run under callgrind on Graphs/bench/resnet, both ways tried: through a closure +23% in
    // im2col; through a generic walk over a specialized per-row visitor struct +5.0% for the
    // whole model (23.87M -> 25.07M).
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
