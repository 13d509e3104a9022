/// The one implementation of each transcendental function the float kernels use: exp, log,
/// erf, tanh and sigmoid on 16 floats at a time (libm is an opaque call per element and never
/// vectorizes). Every Float kernel calls these — unfused ops at `-O0`, fused epilogues and
/// elementwise programs at `-O2` — so the two levels differ only by the order of float
/// operations, never by a different approximation. One exception, on AVX-512 CPUs: the fused
/// sigmoid/SiLU epilogue runs CInferSIMD's kernel, the same exp with a Newton-refined
/// reciprocal instead of the division, within 4 ulps of these (GemmEpilogueTests).
///
/// Each function is written once, on `Vector` (SIMD16<Float>: four SSE or one AVX-512 register);
/// `scalar(_:_:)` evaluates it for one value (same result bit for bit, slower: keep it out of
/// hot loops; a loop over contiguous floats uses `map`). Measured accuracy against Double libm
/// over the whole float range is asserted in VectorMathTests and stated on each function.
package enum VectorMath {
    package typealias Vector = SIMD16<Float>

    /// `f` for a single value (lane 0 of the vector evaluation).
    @inline(__always)
    package static func scalar(_ x: Float, _ f: (Vector) -> Vector) -> Float {
        f(Vector(repeating: x))[0]
    }

    /// `y[i] = f(x[i])` for `i < count`, sixteen at a time; the tail goes through a padded
    /// vector so every element gets the same arithmetic. `x` and `y` may be the same buffer.
    /// On the calling thread: to split it, call `map` on each part from a closure that names
    /// `f` itself (as `UnaryKernels.apply` does), so that `f` is inlined there; a closure
    /// handed to the worker pool would call a captured `f` through a pointer.
    @inline(__always)
    package static func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                            _ f: (Vector) -> Vector) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: f(v), as: Vector.self)
            i += 16
        }
        if i < count {
            var v = Vector()
            for k in 0..<(count - i) { v[k] = x[i + k] }
            let r = f(v)
            for k in 0..<(count - i) { y[i + k] = r[k] }
        }
    }

    /// Blends instead of `clamped` / `pointwiseMin`, whose generic versions are not specialized (slow).
    @inline(__always)
    static func clamp(_ x: Vector, _ low: Float, _ high: Float) -> Vector {
        var c = x
        c.replace(with: high, where: c .> high)
        c.replace(with: low, where: c .< low)
        return c
    }
}
