/// `exp` for Float written with only arithmetic, selects and bit casts, so loops calling it
/// auto-vectorize (libm's `expf` is an opaque call per element). Cephes-style: e^x = 2^n * e^r
/// with n = round(x / ln 2), |r| <= ln 2 / 2, e^r a degree-7 polynomial. Within 2 ulp of `expf`;
/// overflow gives +inf, results below the smallest normal flush to 0, NaN stays NaN.
package enum FastExp {
    @inline(__always)
    package static func exp(_ x: Float) -> Float {
        let low: Float = -87.33654, high: Float = 88.72284
        var c = x < low ? low : x
        c = c > high ? high : c
        // Round to nearest with the 1.5 * 2^23 trick: the sum's low mantissa bits hold n itself,
        // so no float-to-int conversion (and no overflow check) is needed.
        let magic: Float = 12582912
        let shifted = c * 1.44269504088896341 + magic
        let n = shifted - magic
        // r = x - n ln2, with ln2 split in two so the product is exact enough.
        var r = c - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * (r * r) + r + 1
        // 2^n as two factors so n = 128 (e^88.7 is still finite) and n = -126 both stay representable.
        let whole = Int32(bitPattern: shifted.bitPattern &- magic.bitPattern)
        let half = whole &>> 1
        let scaleA = Float(bitPattern: UInt32(bitPattern: (half &+ 127) &<< 23))
        let scaleB = Float(bitPattern: UInt32(bitPattern: (whole &- half &+ 127) &<< 23))
        let result = er * scaleA * scaleB
        return x < low ? 0 : (x != x ? x : result)
    }
}

extension FastExp {
    /// `tanh` from `exp`, vectorizable like it. |x| < 0.625 uses Cephes' odd minimax polynomial
    /// x + x·z·P(z), z = x² (where `1 - 2 / (e^2x + 1)` would cancel); above it the exp form is
    /// well conditioned. Within 2e-7 relative error of tanh (tests compare with libm).
    @inline(__always)
    package static func tanh(_ x: Float) -> Float {
        let a = x < 0 ? -x : x
        let z = x * x
        var p: Float = -5.70498872745e-3
        p = p * z + 2.06390887954e-2
        p = p * z + -5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z + -3.33332819422e-1
        let series = x + x * z * p
        let e = exp(2 * (a < 10 ? a : 10))
        let large = 1 - 2 / (e + 1)
        let signed = x < 0 ? -large : large
        let result = a < 0.625 ? series : signed
        return x != x ? x : result
    }
}
