extension VectorMath {
    /// erf(x) as a rational approximation on [-4, 4] (Eigen's `generic_fast_erf_float`: odd
    /// polynomial of degree 13 over an even one of degree 8, one division); |erf| rounds to 1
    /// in float beyond 4. Within 5 ulp of erf over the float range (VectorMathTests; the worst near |x| = 3.7, where erf is 1 - 2e-7); NaN stays NaN.
    @inline(__always)
    package static func erf(_ a: Vector) -> Vector {
        let x = clamp(a, -4, 4)
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = x2 * p + -2.10102402082508e-06
        p = x2 * p + -5.69250639462346e-05
        p = x2 * p + -7.34990630326855e-04
        p = x2 * p + -2.95459980854025e-03
        p = x2 * p + -1.60960333262415e-02
        var q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
        q = x2 * q + -1.68282697438203e-03
        q = x2 * q + -7.37332916720468e-03
        q = x2 * q + -1.42647390514189e-02
        // x · (p / q) rather than (x · p) / q: for |x| < 1e-36, x · p would be subnormal and lose digits.
        var r = x * (p / q)
        r.replace(with: a, where: a .!= a)
        return r
    }
}
