/// im2col and its adjoint col2im over a canonical 3-D window (see `WindowGeometry`).
/// The column matrix is [channels * kernelSize, outputSize], row-major: row (c, kd, kh, kw)
/// holds, for every output position, the input element that kernel tap sees (0 in padding).
/// Generic over the element so float convolution and integer ConvInteger/QLinearConv share it.
package enum Im2Col {
    package static func im2col<T: ExpressibleByIntegerLiteral>(input: UnsafePointer<T>, channels: Int, geometry g: WindowGeometry,
                                                                columns: UnsafeMutablePointer<T>) {
        var dst = columns
        g.forEachColumnRow(channels: channels) { inputRow, columnOffset, valid in
            let (lo, hi) = valid
            if let inputRow {
                let src = input + inputRow + columnOffset
                if lo > 0 { dst.update(repeating: 0, count: lo) }
                if g.sW == 1 {
                    (dst + lo).update(from: src + lo, count: hi - lo)
                } else if hi > lo {
                    gather(dst + lo, src + lo * g.sW, count: hi - lo, stride: g.sW)
                }
                if hi < g.outW { (dst + hi).update(repeating: 0, count: g.outW - hi) }
            } else {
                dst.update(repeating: 0, count: g.outW)
            }
            dst += g.outW
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
                let v = UnsafeRawPointer(src + 2 * j).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(dst + j).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                j += 8
            }
        }
        while j < count {
            dst[j] = src[j * stride]
            j += 1
        }
    }

    /// Adds every column entry back into the image position it came from (the output must
    /// be initialized): ConvTranspose's scatter step.
    package static func col2im(columns: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry,
                               image: UnsafeMutablePointer<Float>) {
        var src = columns
        g.forEachColumnRow(channels: channels) { inputRow, columnOffset, valid in
            if let inputRow {
                let dst = image + inputRow + columnOffset
                for ow in valid.lo..<valid.hi { dst[ow * g.sW] += src[ow] }
            }
            src += g.outW
        }
    }
}
