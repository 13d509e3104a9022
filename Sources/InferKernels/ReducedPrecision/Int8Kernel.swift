import CInferSIMD
import CReducedPrecision

/// The int8 GEMM variants (CReducedPrecision), best last. All read the same packed weights
/// (`PackedInt8Matrix`) and give the same bits, so which one runs is decided on the machine
/// that runs the plan.
package enum Int8Kernel: String, KernelVariant {
    /// Plain C, int32 multiply-adds: any x86-64 CPU.
    case portable
    /// `vpmaddwd` on operands widened to int16: exact, about the fp32 FMA rate (AVX2).
    case avx2
    /// `vpdpbusd`, 64 uint8 x int8 products per instruction (AVX512-VNNI).
    case avx512 = "avx512-vnni"

    package static let environmentVariable = "SWIFTC_INFER_INT8"

    package var name: String {
        switch self {
        case .portable: "portable C"
        case .avx2: "AVX2 (vpmaddwd)"
        case .avx512: "AVX512-VNNI (vpdpbusd)"
        }
    }

    package var isAvailable: Bool {
        switch self {
        case .portable: true
        case .avx2: cinfer_has_avx2_fma() == 1
        case .avx512: cinfer_has_avx512_vnni() == 1
        }
    }

    private static let environment = environmentCap()

    /// The GEMM and the per-row quantizer of A of this variant.
    var gemm: @convention(c) (UnsafePointer<UInt8>?, Int, Int, UnsafePointer<Float>?, UnsafePointer<Int32>?,
                              UnsafePointer<Int8>?, UnsafePointer<Int32>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                              Int, Int, Int, UnsafeMutablePointer<Float>?, Int) -> Void {
        switch self {
        case .portable: cinfer_int8_gemm_portable
        case .avx2: cinfer_int8_gemm_avx2
        case .avx512: cinfer_int8_gemm_avx512
        }
    }

    var quantizeRows: @convention(c) (UnsafePointer<Float>?, Int, Int, Int, Int, UnsafeMutablePointer<UInt8>?,
                                      UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Int32>?) -> Void {
        switch self {
        case .portable: cinfer_int8_quantize_rows
        case .avx2: cinfer_int8_quantize_rows_avx2
        case .avx512: cinfer_int8_quantize_rows_avx512
        }
    }

    /// The variant the int8 GEMMs run: the best available, at most SWIFTC_INFER_INT8's.
    package static let chosen = choose(cap: environment.cap)

    /// What the int8 GEMMs run on and why, for `blas` and `inspect`.
    package static var report: String {
        var why = environmentNotes(chosen: chosen, environment)
        if !Int8Kernel.avx512.isAvailable { why.append("no AVX512-VNNI") }
        return why.isEmpty ? chosen.name : "\(chosen.name) (\(why.joined(separator: "; ")))"
    }
}
