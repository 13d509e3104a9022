import CReducedPrecision
import Foundation

/// The int8 GEMM variants (CReducedPrecision), best last. All read the same packed weights
/// (`PackedInt8Matrix`) and give the same bits, so which one runs is decided on the machine
/// that runs the plan.
package enum Int8Kernel: String, CaseIterable, Sendable, Comparable {
    /// Plain C, int32 multiply-adds: any x86-64 CPU.
    case portable
    /// `vpdpbusd`, 64 uint8 x int8 products per instruction (AVX512-VNNI).
    case avx512 = "avx512-vnni"

    package static func < (a: Int8Kernel, b: Int8Kernel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

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

    /// Every variant this machine runs, lowest first: what the kernel tests run.
    package static var available: [Int8Kernel] { allCases.filter(\.isAvailable) }

    /// `SWIFTC_INFER_INT8` (portable or avx512-vnni) caps the variant for the whole process, so a
    /// benchmark can time the fallback; the raw value when it names none.
    private static let environment: (cap: Int8Kernel?, unknown: String?) = {
        guard let raw = ProcessInfo.processInfo.environment["SWIFTC_INFER_INT8"], !raw.isEmpty else { return (nil, nil) }
        let cap = Int8Kernel(rawValue: raw.lowercased())
        return (cap, cap == nil ? raw : nil)
    }()

    /// The variant the int8 GEMMs run: the best available, at most SWIFTC_INFER_INT8's.
    package static let chosen: Int8Kernel = available.last { $0 <= (environment.cap ?? .avx512) } ?? .portable

    /// What the int8 GEMMs run on and why, for `blas` and `inspect`.
    package static var report: String {
        var why: [String] = []
        if let cap = environment.cap, chosen < (available.last ?? .portable) { why.append("SWIFTC_INFER_INT8=\(cap.rawValue)") }
        if let unknown = environment.unknown { why.append("SWIFTC_INFER_INT8=\"\(unknown)\" ignored: not portable or avx512-vnni") }
        if !Int8Kernel.avx512.isAvailable { why.append("no AVX512-VNNI") }
        return why.isEmpty ? chosen.name : "\(chosen.name) (\(why.joined(separator: "; ")))"
    }
}
