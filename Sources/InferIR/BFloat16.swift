/// bfloat16: the top half of an IEEE float (8 exponent bits, 7 mantissa bits), the type the
/// reduced-precision GEMM multiplies. Weights are rounded here, when a plan is compiled with
/// `Precision.bf16`; activations are rounded at run time by the kernels' own conversion, which
/// follows the same rules (tests hold the two to the same bits).
package enum BFloat16 {
    /// `x` rounded to nearest even, as bit pattern. NaN stays NaN (made quiet); subnormals become
    /// a zero of the same sign, as `vcvtneps2bf16` does.
    package static func bits(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        if u & 0x7f80_0000 == 0 { return UInt16((u >> 16) & 0x8000) }
        if x.isNaN { return UInt16(truncatingIfNeeded: u >> 16) | 0x40 }
        // Adding just under half an ulp, plus the kept part's lowest bit, rounds ties to even;
        // a carry into the exponent is the correct rounding up (to infinity at the top).
        return UInt16(truncatingIfNeeded: (u &+ 0x7fff &+ ((u >> 16) & 1)) >> 16)
    }

    /// The float a bit pattern stands for.
    package static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }
}

/// The numeric precision a model is compiled for: `fp32` as the model says; `bf16`, where
/// GEMMs with constant weights multiply bfloat16 (weights stored so in the plan, activations
/// rounded at the GEMM's input) and sum in fp32; or `int8`, where those GEMMs multiply int8
/// weights (quantized per output column, symmetric, stored so in the plan) by activations
/// quantized to uint8 per row on every run, with exact int32 sums. Everything else stays fp32.
public enum Precision: String, Sendable, CaseIterable {
    /// The model's own precision.
    case fp32
    /// bfloat16 products, fp32 sums, for GEMMs with constant weights.
    case bf16
    /// Dynamic int8 quantization of GEMMs with constant weights.
    case int8
}
