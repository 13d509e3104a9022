/// GELU on 16 floats at a time (libm's `erff` / `tanhf` are a call per element and were ~20% of a
/// BERT encoder's time):
/// - exact form 0.5·x·(1 + erf(x/√2)) with erf as a rational approximation on [-4, 4] (Eigen's
///   `generic_fast_erf_float`; within 2e-7 of `erff`; |erf| rounds to 1 beyond 4);
/// - tanh form 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with tanh(u) = 1 - 2 / (1 + e^{2u}).
package enum GeluKernel {
    package typealias Vector = SIMD16<Float>

    @inline(__always)
    package static func erf(_ a: Vector) -> Vector {
        // Clamp with blends: the generic `clamped` / `pointwiseMin` are not specialized (slow).
        var x = a
        x.replace(with: 4, where: x .> 4)
        x.replace(with: -4, where: x .< -4)
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = x2 * p + -2.10102402082508e-06
        p = x2 * p + -5.69250639462346e-05
        p = x2 * p + -7.34990630326855e-04
        p = x2 * p + -2.95459980854025e-03
        p = x2 * p + -1.60960333262415e-02
        p = x * p
        var q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
        q = x2 * q + -1.68282697438203e-03
        q = x2 * q + -7.37332916720468e-03
        q = x2 * q + -1.42647390514189e-02
        var r = p / q
        r.replace(with: a, where: a .!= a)  // NaN stays NaN
        return r
    }

    @inline(__always)
    package static func tanh(_ u: Vector) -> Vector {
        var r = 1 - 2 / (1 + VectorExp.exp(u + u))
        r.replace(with: u, where: u .!= u)
        return r
    }

    @inline(__always)
    package static func gelu(_ x: Vector) -> Vector {
        0.5 * x * (1 + erf(x * 0.70710678118654752440))
    }

    @inline(__always)
    package static func geluTanh(_ x: Vector) -> Vector {
        0.5 * x * (1 + tanh(0.79788456080286535588 * (x + 0.044715 * (x * x * x))))
    }

    /// y[i] = gelu(x[i]) over `count` contiguous floats (x and y may be the same buffer).
    package static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                              tanhApproximation: Bool, threads: Int) {
        if tanhApproximation {
            VectorExp.map(x, y, count: count, threads: threads) { geluTanh($0) }
        } else {
            VectorExp.map(x, y, count: count, threads: threads) { gelu($0) }
        }
    }
}
