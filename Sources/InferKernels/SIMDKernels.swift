import CInferSIMD
import Synchronization

/// Which of the CInferSIMD kernels (AVX-512, chosen at run time by CPU feature) the Swift
/// kernels hand their inner loops to. Without them the Swift kernels run their own SIMD code,
/// compiled for the x86-64 baseline: that fallback is what `forcingFallback` lets tests check
/// on a machine that has AVX-512.
package enum SIMDKernels {
    private static let cpuHasAVX512 = cinfer_has_avx512() == 1
    /// Bodies of `forcingFallback` running now.
    private static let fallbacks = Atomic<Int>(0)

    /// Whether kernels should call the AVX-512 code now.
    @inline(__always)
    package static var hasAVX512: Bool { cpuHasAVX512 && fallbacks.load(ordering: .relaxed) == 0 }

    /// What this CPU offers, for reports ("AVX-512" or "baseline").
    package static var name: String { cpuHasAVX512 ? "AVX-512" : "baseline" }

    /// Runs `body` with every kernel on its Swift fallback. Process-wide while `body` runs
    /// (kernels on other threads fall back too, which must not change their results beyond
    /// float rounding).
    package static func forcingFallback<R>(_ body: () throws -> R) rethrows -> R {
        fallbacks.add(1, ordering: .relaxed)
        defer { fallbacks.subtract(1, ordering: .relaxed) }
        return try body()
    }
}
