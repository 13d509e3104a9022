import CInferSIMD
import Foundation

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

    /// This thread's cap (`Level.rawValue + 1`, 0 for none) in thread-local storage: a cap
    /// belongs to the work that set it, so a test running the fallback never changes what a
    /// test on another thread computes. The worker pool carries the caller's cap to the
    /// workers that run its chunks (`WorkerPool.run`).
    private static let capKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-local key for the SIMD level cap")
        return key
    }()

    /// The cap on this thread, for the worker pool to hand on (nil: none).
    package static var currentCap: Level? {
        get {
            let raw = Int(bitPattern: pthread_getspecific(capKey))
            return raw == 0 ? nil : Level(rawValue: raw - 1)
        }
        set { pthread_setspecific(capKey, UnsafeRawPointer(bitPattern: newValue.map { $0.rawValue + 1 } ?? 0)) }
    }

    /// `SWIFTC_INFER_SIMD` (avx512, avx2 or baseline) caps the level for the whole process, so
    /// a benchmark can time the lower levels' kernels on a CPU that has the higher ones (as
    /// OPENBLAS_CORETYPE does for OpenBLAS); the raw value when it names no level.
    private static let environment: (cap: Level?, unknown: String?) = {
        guard let raw = ProcessInfo.processInfo.environment["SWIFTC_INFER_SIMD"], !raw.isEmpty else { return (nil, nil) }
        let cap = Level.allCases.first { $0.name.lowercased() == raw.lowercased() || "\($0)" == raw.lowercased() }
        return (cap, cap == nil ? raw : nil)
    }()

    /// The level kernels run at without a per-thread cap: the CPU's, or SWIFTC_INFER_SIMD's if lower.
    package static let processLevel: Level = min(cpuLevel, environment.cap ?? cpuLevel)

    /// The level kernels should call now: the process's, unless this thread runs under a cap
    /// (tests cap per thread, and may pick any level the CPU has).
    @inline(__always)
    package static var level: Level {
        guard let cap = currentCap else { return processLevel }
        return min(cpuLevel, cap)
    }

    /// What kernels run at, for reports: "AVX-512", "AVX2+FMA" or "baseline", and why when
    /// SWIFTC_INFER_SIMD set it or named no level.
    package static var name: String {
        if let unknown = environment.unknown {
            return "\(processLevel.name) (SWIFTC_INFER_SIMD=\"\(unknown)\" ignored: not avx512, avx2 or baseline)"
        }
        if processLevel < cpuLevel { return "\(processLevel.name) (SWIFTC_INFER_SIMD; the CPU has \(cpuLevel.name))" }
        return processLevel.name
    }

    /// Runs `body` with every kernel it runs (on this thread and on the pool's workers for its
    /// parallel regions) at `cap` or below.
    package static func capped<R>(at cap: Level, _ body: () throws -> R) rethrows -> R {
        let previous = currentCap
        currentCap = min(previous ?? cap, cap)
        defer { currentCap = previous }
        return try body()
    }

    /// Every level this CPU runs, lowest first: what a kernel test runs each case at.
    package static var testedLevels: [Level] { Level.allCases.filter { $0 <= cpuLevel } }
}
