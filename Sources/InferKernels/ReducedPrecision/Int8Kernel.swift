import CReducedPrecision

/// The int8 GEMM variants (CReducedPrecision), best last. All read the same packed weights
/// (`PackedInt8Matrix`) and give the same bits, so which one runs is decided on the machine
/// that runs the plan.
package enum Int8Kernel: String, KernelVariant {
    /// Plain C, int32 multiply-adds: any x86-64 CPU.
    case portable
    /// `vpdpbusd`, 64 uint8 x int8 products per instruction (AVX512-VNNI).
    case avx512 = "avx512-vnni"

    package static let environmentVariable = "SWIFTC_INFER_INT8"

    package var name: String {
        switch self {
        case .portable: "portable C"
        case .avx512: "AVX512-VNNI (vpdpbusd)"
        }
    }

    package var isAvailable: Bool {
        switch self {
        case .portable: true
        case .avx512: cinfer_has_avx512_vnni() == 1
        }
    }

    private static let environment = environmentCap()

    /// The variant the int8 GEMMs run: the best available, at most SWIFTC_INFER_INT8's.
    package static let chosen = choose(cap: environment.cap)

    /// What the int8 GEMMs run on and why, for `blas` and `inspect`.
    package static var report: String {
        var why = environmentNotes(chosen: chosen, environment)
        if !Int8Kernel.avx512.isAvailable { why.append("no AVX512-VNNI") }
        return why.isEmpty ? chosen.name : "\(chosen.name) (\(why.joined(separator: "; ")))"
    }
}
