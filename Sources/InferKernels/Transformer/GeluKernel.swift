import CInferSIMD

/// GELU on 16 floats at a time, from VectorMath's erf and exp:
/// - exact form 0.5·x·(1 + erf(x/√2));
/// - tanh form 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), evaluated as x·σ(2u).
/// The unfused `Gelu` op, the fused `swiftinfer.Gelu`, GEMM epilogues and elementwise programs
/// all call these two functions.
package enum GeluKernel {
    package typealias Vector = VectorMath.Vector

    @inline(__always)
    package static func gelu(_ x: Vector) -> Vector {
        0.5 * x * (1 + VectorMath.erf(x * 0.70710678118654752440))
    }

    /// Computed as x·σ(2u) = x / (1 + e^(-2u)), u = √(2/π)·(x + 0.044715·x³): the same function
    /// (0.5·(1 + tanh(u)) is σ(2u)), one exp and one division instead of tanh's polynomial, exp
    /// and selects, and without tanh form's cancellation where u is very negative.
    @inline(__always)
    package static func geluTanh(_ x: Vector) -> Vector {
        let twoU = 1.5957691216057307118 * (x + 0.044715 * (x * x * x))
        return x / (1 + VectorMath.exp(-twoU))
    }

    /// y[i] = gelu(x[i]) over `count` contiguous floats (x and y may be the same buffer).
    package static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                              tanhApproximation: Bool, threads: Int) {
        // Each part names its function, so it is inlined there (see `VectorMath.map`).
        let level = SIMDKernels.level
        ParallelFor.run(count: count, work: count * ParallelFor.transcendentalCost, threads: threads) { part in
            let (xp, yp) = (x + part.lowerBound, y + part.lowerBound)
            if tanhApproximation, level > .baseline {
                // CInferSIMD's kernels, the same formulas (the SSE division was most of the cost).
                if level == .avx512 { cinfer_gelu_tanh_run_avx512(xp, yp, part.count, nil, 0) }
                else { cinfer_gelu_tanh_run_avx2(xp, yp, part.count, nil, 0) }
            } else if level > .baseline {
                if level == .avx512 { cinfer_gelu_erf_run_avx512(xp, yp, part.count, nil, 0) }
                else { cinfer_gelu_erf_run_avx2(xp, yp, part.count, nil, 0) }
            } else if tanhApproximation {
                VectorMath.map(xp, yp, count: part.count, geluTanh)
            } else {
                VectorMath.map(xp, yp, count: part.count, gelu)
            }
        }
    }
}
