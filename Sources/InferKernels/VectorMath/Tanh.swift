extension VectorMath {
    /// tanh(x): for |x| < 0.625 Cephes' odd minimax polynomial x + x·z·P(z), z = x² (where the
    /// exp form would cancel); above it 1 - 2 / (e^2|x| + 1), well conditioned there, with the
    /// sign restored. Within 2 ulp of tanh over the float range; NaN stays NaN.
    @inline(__always)
    package static func tanh(_ x: Vector) -> Vector {
        var a = x
        a.replace(with: -x, where: x .< 0)
        let z = x * x
        var p = Vector(repeating: -5.70498872745e-3)
        p = p * z + 2.06390887954e-2
        p = p * z + -5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z + -3.33332819422e-1
        let series = x + x * z * p
        var capped = a
        capped.replace(with: 10, where: a .> 10)   // tanh(10) is 1 in float; keeps e^2a finite
        var large = 1 - 2 / (exp(capped + capped) + 1)
        large.replace(with: -large, where: x .< 0)
        var result = large
        result.replace(with: series, where: a .< 0.625)
        result.replace(with: x, where: a .< 2.44140625e-4)   // tanh(x) rounds to x below 2^-12 (keeps -0)
        result.replace(with: x, where: x .!= x)
        return result
    }
}
