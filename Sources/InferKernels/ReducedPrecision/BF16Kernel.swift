import CReducedPrecision

/// The bf16 GEMM variants (CReducedPrecision), best last. All read the same packed weights
/// (`PackedBF16Matrix`), so which one runs is decided on the machine that runs the plan.
package enum BF16Kernel: String, KernelVariant {
    /// Plain C, fp32 multiply-adds of the widened values: any x86-64 CPU.
    case portable
    /// `vdpbf16ps`, 16 pairs per instruction (AVX512-BF16).
    case avx512 = "avx512-bf16"
    /// AMX tiles: `tdpbf16ps` on 16 x 32 by 32 x 16 blocks (AMX-BF16, with the OS's permission).
    case amx

    package static let environmentVariable = "SWIFTC_INFER_BF16"

    package var name: String {
        switch self {
        case .portable: "portable C"
        case .avx512: "AVX512-BF16 (vdpbf16ps)"
        case .amx: "AMX-BF16 tiles"
        }
    }

    /// Whether this CPU (and OS, for AMX) runs it. Asking about `.amx` requests the tile
    /// permission, which every AMX kernel call needs first.
    package var isAvailable: Bool {
        switch self {
        case .portable: true
        case .avx512: cinfer_has_avx512_bf16() == 1
        case .amx: cinfer_amx_bf16_ready() == 1
        }
    }

    private static let environment = environmentCap()

    /// The variant the bf16 GEMMs run: the best available, at most SWIFTC_INFER_BF16's.
    package static let chosen = choose(cap: environment.cap)

    /// What the bf16 GEMMs run on and why, for `blas` and `inspect`.
    package static var report: String {
        var why = environmentNotes(chosen: chosen, environment)
        if !BF16Kernel.avx512.isAvailable { why.append("no AVX512-BF16") }
        else if !BF16Kernel.amx.isAvailable { why.append("no AMX: \(String(cString: cinfer_amx_bf16_unavailable_reason()))") }
        return why.isEmpty ? chosen.name : "\(chosen.name) (\(why.joined(separator: "; ")))"
    }
}
