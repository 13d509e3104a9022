/// `erf` for Float with only arithmetic and selects (both branches computed, one kept), so
/// loops calling it auto-vectorize like `FastExp`; libm's `erff` is an opaque call per element
/// and made erf-GELU the slowest op of a BERT layer. Least-squares polynomials fitted in double
/// on Chebyshev nodes (Tools/fit_erf.py): |x| < 1: erf(x) = x·P(x²); 1 ≤ |x| < 4:
/// erf(x) = 1 − e^(−x²)·Q(1/x)/x; beyond 4 erf is ±1 in float. Within 2.1e-7 relative error
/// of erf over [−6, 6] (checked by the tests against Foundation's `erf`).
package enum FastErf {
    @inline(__always)
    package static func erf(_ x: Float) -> Float {
        let a = x < 0 ? -x : x
        // Small |x|: odd series x·P(x²).
        let s = x * x
        var p: Float = -9.673595648254843e-06
        p = p * s + 0.00011268262180872761
        p = p * s + -0.000848439876539904
        p = p * s + 0.005221053656075851
        p = p * s + -0.026865438440630683
        p = p * s + 0.11283782625436656
        p = p * s + -0.3761263847636356
        p = p * s + 1.1283791670624765
        let small = x * p
        // Large |x|: 1 - e^{-x²} Q(z) z with z = 1/|x| (clamped so the unused branch stays finite).
        let z = 1 / (a < 1 ? 1 : a)
        var q: Float = 0.02168112184429909
        q = q * z + -0.18287059266927175
        q = q * z + 0.6947766986571771
        q = q * z + -1.5622011060080698
        q = q * z + 2.2807682184747717
        q = q * z + -2.192393268801031
        q = q * z + 1.263236658495436
        q = q * z + -0.20729898837176805
        q = q * z + -0.2494174980429421
        q = q * z + -0.0030109682599272184
        q = q * z + 0.5643133007080421
        let tail = 1 - FastExp.exp(-(a < 4 ? a * a : 16)) * q * z
        let clamped: Float = a >= 4 ? 1 : tail
        let large = x < 0 ? -clamped : clamped
        let result = a < 1 ? small : large
        return x != x ? x : result
    }
}
