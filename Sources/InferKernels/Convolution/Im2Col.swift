/// im2col and its adjoint col2im over a canonical 3-D window (see `WindowGeometry`).
/// The column matrix is [channels * kernelSize, outputSize], row-major: row (c, kd, kh, kw)
/// holds, for every output position, the input element that kernel tap sees (0 in padding).
/// Generic over the element so float convolution and integer ConvInteger/QLinearConv share it.
package enum Im2Col {
    /// The columns of output positions `positions` (all of them when nil), into a column matrix
    /// [channels * kernelSize, positions.count]: a convolution cut into cache blocks builds one
    /// block's columns at a time (`CacheBlocks`).
    package static func im2col<T: ExpressibleByIntegerLiteral>(input: UnsafePointer<T>, channels: Int, geometry g: WindowGeometry,
                                                                columns: UnsafeMutablePointer<T>,
                                                                positions: Range<Int>? = nil) {
        let span = positions ?? 0..<g.outputSize
        if span.isEmpty { return }
        let firstRow = span.lowerBound / g.outW, lastRow = (span.upperBound - 1) / g.outW
        var dst = columns
        for c in 0..<channels {
            let plane = input + c * g.inputSize
            for kd in 0..<g.kD {
                for kh in 0..<g.kH {
                    for kw in 0..<g.kW {
                        let offW = kw * g.dW - g.pW
                        let (lo, hi) = g.validColumns(offset: offW)
                        for row in firstRow...lastRow {
                            // This output row's part of the span: output columns a..<b.
                            let rowStart = row * g.outW
                            let a = max(0, span.lowerBound - rowStart), b = min(g.outW, span.upperBound - rowStart)
                            let od = row / g.outH, oh = row % g.outH
                            let id = od * g.sD - g.pD + kd * g.dD
                            let ih = oh * g.sH - g.pH + kh * g.dH
                            if id < 0 || id >= g.inD || ih < 0 || ih >= g.inH {
                                dst.update(repeating: 0, count: b - a)
                            } else {
                                let src = plane + (id * g.inH + ih) * g.inW + offW
                                let from = max(a, lo), to = min(b, hi)
                                if from > a { dst.update(repeating: 0, count: min(from, b) - a) }
                                if to > from {
                                    if g.sW == 1 {
                                        (dst + from - a).update(from: src + from, count: to - from)
                                    } else {
                                        gather(dst + from - a, src + from * g.sW, count: to - from, stride: g.sW)
                                    }
                                }
                                let tail = max(a, to, from)
                                if tail < b { (dst + tail - a).update(repeating: 0, count: b - tail) }
                            }
                            dst += b - a
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
