import CInferSIMD
import Synchronization

/// Which of the CInferSIMD kernels (chosen at run time by CPU feature) the Swift kernels hand
/// their inner loops to: AVX-512, else AVX2 + FMA, else none. Without them the Swift kernels
/// run their own SIMD code, compiled for the x86-64 baseline. `capped(at:)` lets tests run the
/// lower levels (the AVX2 kernels, the Swift fallback) on a CPU that has the higher ones.
package enum SIMDKernels {
    /// Instruction-set levels, lowest first.
    package enum Level: Int, Comparable, Sendable, CaseIterable {
        case baseline, avx2, avx512
        package static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        package var name: String {
            switch self {
            case .baseline: "baseline"
            case .avx2: "AVX2+FMA"
            case .avx512: "AVX-512"
            }
        }
    }

    /// The highest level this CPU runs.
    package static let cpuLevel: Level = cinfer_has_avx512() == 1 ? .avx512 : cinfer_has_avx2_fma() == 1 ? .avx2 : .baseline
    /// Bodies of `capped(at:)` running now, per level they cap at.
    private static let baselineCaps = Atomic<Int>(0), avx2Caps = Atomic<Int>(0)

    /// The level kernels should call now: the CPU's, unless a `capped(at:)` body is running.
    @inline(__always)
    package static var level: Level {
        if baselineCaps.load(ordering: .relaxed) > 0 { return .baseline }
        if avx2Caps.load(ordering: .relaxed) > 0 { return min(cpuLevel, .avx2) }
        return cpuLevel
    }

    /// What this CPU offers, for reports ("AVX-512", "AVX2+FMA" or "baseline").
    package static var name: String { cpuLevel.name }

    /// Runs `body` with every kernel at `cap` or below. Process-wide while `body` runs (kernels
    /// on other threads drop to it too, which must not change their results beyond float
    /// rounding).
    package static func capped<R>(at cap: Level, _ body: () throws -> R) rethrows -> R {
        switch cap {
        case .baseline: baselineCaps.add(1, ordering: .relaxed)
        case .avx2: avx2Caps.add(1, ordering: .relaxed)
        case .avx512: return try body()
        }
        defer {
            switch cap {
            case .baseline: baselineCaps.subtract(1, ordering: .relaxed)
            case .avx2: avx2Caps.subtract(1, ordering: .relaxed)
            case .avx512: break
            }
        }
        return try body()
    }

    /// Every level this CPU runs, lowest first: what a kernel test runs each case at.
    package static var testedLevels: [Level] { Level.allCases.filter { $0 <= cpuLevel } }
}
