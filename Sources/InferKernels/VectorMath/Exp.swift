extension VectorMath {
    /// e^x, Cephes-style: e^x = 2^n · e^r with n = round(x / ln 2), |r| ≤ ln 2 / 2, e^r a
    /// degree-7 polynomial. Within 1 ulp of exp over the float range; overflow gives +inf,
    /// results below the smallest normal flush to 0, NaN stays NaN.
    @inline(__always)
    package static func exp(_ x: Vector) -> Vector {
        let low: Float = -87.33654, high: Float = 88.72284
        let clamped = clamp(x, low, high)
        // Round to nearest with the 1.5 · 2^23 trick (|x / ln 2| < 2^22): `rounded(.toNearestOrEven)`
        // on SIMD16 is a libm `rintf` call per lane without SSE4.1 (the x86-64 baseline).
        let shifted = clamped * 1.44269504088896341 + 12582912
        let n = shifted - 12582912
        // r = x - n ln2, with ln2 split in two so the product is exact enough.
        var r = clamped - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = Vector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * (r * r) + r + 1
        // 2^n as two factors so n = 128 (e^88.7 is still finite) and n = -126 both stay representable.
        // n is integral and |n| ≤ 128: adding 1.5 · 2^23 put it in the low mantissa bits, a
        // vector-friendly float -> int conversion (the generic SIMD init converts lane by lane).
        let whole = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let half = whole &>> 1
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let scaleB = unsafeBitCast((whole &- half &+ 127) &<< 23, to: Vector.self)
        var result = er * scaleA * scaleB
        result.replace(with: 0, where: x .< low)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// 1 / (1 + e^-x): e^-x overflows to +inf for x < -88.7, giving exactly 0; NaN stays NaN.
    @inline(__always)
    package static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }
}
