import CInferSIMD

/// Where each element of a [outer, axis, inner] tensor finds its scale and zero point:
/// parameter index `o * outerStride + (a / blockSize) * axisStride + i * innerStride`.
/// Per tensor: all strides 0. Per axis: axisStride 1. Blocked: the parameter tensor is
/// [outer, ceil(axis / blockSize), inner].
package struct QuantizationLayout: Sendable, Equatable {
    package let outer: Int, axis: Int, inner: Int
    package let blockSize: Int
    package let outerStride: Int, axisStride: Int, innerStride: Int

    /// One run of `count` elements sharing parameter 0 (as `count` runs of one it cost a call per
    /// element: an embedding's DequantizeLinear took 60-130 µs for 32K values).
    package static func perTensor(count: Int) -> QuantizationLayout {
        QuantizationLayout(outer: 1, axis: 1, inner: count, blockSize: 1, outerStride: 0, axisStride: 0, innerStride: 0)
    }

    package static func perAxis(outer: Int, axis: Int, inner: Int) -> QuantizationLayout {
        QuantizationLayout(outer: outer, axis: axis, inner: inner, blockSize: 1, outerStride: 0, axisStride: 1, innerStride: 0)
    }

    /// ceil(axis / blockSize), without `axis + blockSize` overflowing (block_size comes from the model).
    package static func blockCount(axis: Int, blockSize: Int) -> Int { axis == 0 ? 0 : (axis - 1) / blockSize + 1 }

    package static func blocked(outer: Int, axis: Int, inner: Int, blockSize: Int) -> QuantizationLayout {
        let blocks = blockCount(axis: axis, blockSize: blockSize)
        return QuantizationLayout(outer: outer, axis: axis, inner: inner, blockSize: blockSize,
                                  outerStride: blocks * inner, axisStride: inner, innerStride: 1)
    }

    /// Calls `body(elementOffset, parameterIndex, runLength, parameterStep)` for each contiguous run of
    /// the inner dim; within a run the parameter index advances by `parameterStep` per element.
    @inline(__always)
    func forEachRun(_ body: (Int, Int, Int, Int) -> Void) {
        var offset = 0
        for o in 0..<outer {
            for a in 0..<axis {
                body(offset, o * outerStride + (a / blockSize) * axisStride, inner, innerStride)
                offset += inner
            }
        }
    }
}

/// QuantizeLinear / DequantizeLinear arithmetic: `q = clamp(round_half_even(x / scale) + zp)`,
/// `x = (q - zp) * scale`, as the ONNX reference computes them (float32 division, then rounding).
package enum LinearQuantization {
    /// `v` converted to Q, clamped to Q's range (NaN gives 0).
    @inline(__always)
    static func saturate<F: BinaryFloatingPoint, Q: FixedWidthInteger>(_ v: F, _: Q.Type) -> Q {
        if v.isNaN { return 0 }
        if v <= F(Q.min) { return Q.min }
        if v >= F(Q.max) { return Q.max }
        return Q(v)
    }

    /// One element's quantized value (QuantizeLinear's and DynamicQuantizeLinear's rule): the
    /// definition every vector form reproduces bit for bit.
    @inline(__always)
    package static func quantized<Q: FixedWidthInteger>(_ v: Float, scale: Float, zero: Float, as _: Q.Type) -> Q {
        saturate((v / scale).rounded(.toNearestOrEven) + zero, Q.self)
    }

    @_specialize(where Q == Int8)
    @_specialize(where Q == UInt8)
    package static func quantize<Q: FixedWidthInteger>(_ x: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                                       zeroPoint: UnsafePointer<Q>?, layout: QuantizationLayout,
                                                       into y: UnsafeMutablePointer<Q>) {
        layout.forEachRun { offset, p, n, step in
            if step == 0 {
                quantize(x + offset, count: n, scale: scale[p], zero: Float(zeroPoint?[p] ?? 0), into: y + offset)
            } else {
                for i in 0..<n {
                    let j = p + i * step
                    y[offset + i] = quantized(x[offset + i], scale: scale[j], zero: Float(zeroPoint?[j] ?? 0), as: Q.self)
                }
            }
        }
    }

    /// `count` elements with one scale and zero point, on CInferSIMD at this thread's SIMD level
    /// for 8-bit Q (bit-identical to `quantized`), else the Swift loop.
    @_specialize(where Q == Int8)
    @_specialize(where Q == UInt8)
    package static func quantize<Q: FixedWidthInteger>(_ x: UnsafePointer<Float>, count: Int, scale: Float, zero: Float,
                                                       into y: UnsafeMutablePointer<Q>) {
        let level = Q.bitWidth == 8 ? SIMDKernels.level : .baseline
        guard level > .baseline else {
            for i in 0..<count { y[i] = quantized(x[i], scale: scale, zero: zero, as: Q.self) }
            return
        }
        let run = level == .avx512 ? cinfer_quantize_linear_avx512 : cinfer_quantize_linear_avx2
        run(x, count, scale, zero, Q.isSigned ? 1 : 0, y)
    }

    /// int32 input: divided in Double (numpy promotes int32 / float32 to float64).
    @_specialize(where Q == Int8)
    @_specialize(where Q == UInt8)
    package static func quantize<Q: FixedWidthInteger>(_ x: UnsafePointer<Int32>, scale: UnsafePointer<Float>,
                                                       zeroPoint: UnsafePointer<Q>?, layout: QuantizationLayout,
                                                       into y: UnsafeMutablePointer<Q>) {
        layout.forEachRun { offset, p, n, step in
            for i in 0..<n {
                let s = Double(scale[p + i * step]), z = Double(zeroPoint?[p + i * step] ?? 0)
                y[offset + i] = saturate((Double(x[offset + i]) / s).rounded(.toNearestOrEven) + z, Q.self)
            }
        }
    }

    @_specialize(where Q == Int8)
    @_specialize(where Q == UInt8)
    package static func dequantize<Q: FixedWidthInteger>(_ x: UnsafePointer<Q>, scale: UnsafePointer<Float>,
                                                         zeroPoint: UnsafePointer<Q>?, layout: QuantizationLayout,
                                                         into y: UnsafeMutablePointer<Float>) {
        // 8-bit runs sharing one scale go to CInferSIMD: the same subtraction, then product.
        let level = Q.bitWidth == 8 ? SIMDKernels.level : .baseline
        let run = level == .avx512 ? cinfer_dequantize_linear_avx512 : cinfer_dequantize_linear_avx2
        layout.forEachRun { offset, p, n, step in
            let src = x + offset, dst = y + offset
            if step == 0 {
                let s = scale[p], z = Float(zeroPoint?[p] ?? 0)
                if level > .baseline { run(src, n, s, z, Q.isSigned ? 1 : 0, dst); return }
                for i in 0..<n { dst[i] = (Float(src[i]) - z) * s }
            } else {
                for i in 0..<n {
                    let j = p + i * step
                    dst[i] = (Float(src[i]) - Float(zeroPoint?[j] ?? 0)) * scale[j]
                }
            }
        }
    }

    /// DynamicQuantizeLinear: uint8 over [min(0, min x), max(0, max x)]; returns (scale, zero point).
    package static func dynamicQuantize(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<UInt8>) -> (Float, UInt8) {
        var lo: Float = 0, hi: Float = 0
        for i in 0..<count { lo = min(lo, x[i]); hi = max(hi, x[i]) }
        let (scale, zp) = dynamicParameters(lo: lo, hi: hi)
        quantize(x, count: count, scale: scale, zero: Float(zp), into: y)
        return (scale, zp)
    }

    /// DynamicQuantizeLinear's scale and zero point for the range [lo, hi] (already widened to
    /// include 0), also what the fused int8 GEMM of an ONNX Runtime quantize_dynamic chain uses.
    package static func dynamicParameters(lo: Float, hi: Float) -> (scale: Float, zero: UInt8) {
        let scale = (hi == lo ? 1 : hi - lo) / 255
        return (scale, saturate((0 - lo / scale).rounded(.toNearestOrEven), UInt8.self))
    }
}
