extension VectorMath {
    /// Natural log, Cephes' `logf`: x = m · 2^e with m in [√½, √2), log(m) = t - t²/2 + t³·P(t)
    /// for t = m - 1 (P of degree 8), plus e · ln 2 in two parts. Within 1 ulp of log for
    /// positive normal and subnormal floats; log(0) = -inf, log(x < 0) = NaN, log(+inf) = +inf.
    @inline(__always)
    package static func log(_ x: Vector) -> Vector {
        // Subnormals: scale by 2^23 first so the exponent field holds the whole exponent.
        let tiny = x .< 1.17549435e-38
        var v = x
        v.replace(with: x * 8388608, where: tiny)
        let bits = unsafeBitCast(v, to: SIMD16<Int32>.self)
        // Exponent to float via the 1.5 · 2^23 trick (the generic SIMD init converts lane by lane).
        let exponent = ((bits &>> 23) & 0xFF) &- 126
        var e = unsafeBitCast(exponent &+ 0x4B40_0000, to: Vector.self) - 12582912
        e.replace(with: e - 23, where: tiny)
        // Mantissa in [0.5, 1), then shifted into [√½, √2) so t = m - 1 stays small.
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: Vector.self)
        let low = m .< 0.707106781186547524
        e.replace(with: e - 1, where: low)
        m.replace(with: m + m, where: low)
        let t = m - 1
        let z = t * t
        var p = Vector(repeating: 7.0376836292e-2)
        p = p * t - 1.1514610310e-1
        p = p * t + 1.1676998740e-1
        p = p * t - 1.2420140846e-1
        p = p * t + 1.4249322787e-1
        p = p * t - 1.6668057665e-1
        p = p * t + 2.0000714765e-1
        p = p * t - 2.4999993993e-1
        p = p * t + 3.3333331174e-1
        var y = p * t * z
        y = y + e * -2.12194440e-4
        y = y - 0.5 * z
        var result = t + y + e * 0.693359375
        result.replace(with: -.infinity, where: x .== 0)
        result.replace(with: .nan, where: x .< 0)
        result.replace(with: x, where: x .== .infinity)
        result.replace(with: x, where: x .!= x)
        return result
    }
}
