import Foundation
import InferKernels

/// Makes sure OpenBLAS runs the best kernels this CPU supports.
///
/// Debian's OpenBLAS 0.3.21 does not recognize recent CPUs and falls back to its SSE3
/// `Prescott` kernels: ~63 GFLOP/s sgemm where the AVX-512 `SkylakeX` kernels reach ~300.
/// OpenBLAS reads `OPENBLAS_CORETYPE` only when it loads, so the fix must happen before the
/// process starts: `relaunchWithBestCoreIfNeeded()` re-executes the current program with the
/// variable set (the CLI calls it first thing). An embedding program can call it at the top of
/// `main`, or set the variable itself; otherwise `Engine` prints a one-time warning.
/// A value the user set explicitly is always respected.
///
/// ```swift
/// BLASRuntime.relaunchWithBestCoreIfNeeded()          // first line of main
/// print(BLASRuntime.coreName, BLASRuntime.coreSource)  // "SkylakeX selected by swiftc-infer"
/// let engine = try Engine(contentsOf: url)
/// ```
public enum BLASRuntime {
    /// The kernel family OpenBLAS is running (`Prescott`, `Haswell`, `SkylakeX`, ...).
    public static var coreName: String { BLASCore.coreName }
    /// Threads an engine runs on when its options name none: what OpenBLAS would have used
    /// by itself (`OPENBLAS_NUM_THREADS`, else the core count). OpenBLAS itself runs
    /// single-threaded; the engine splits each GEMM over its own threads.
    public static var threadCount: Int { BLASCore.defaultThreadCount }

    /// Where the core came from: "set by OPENBLAS_CORETYPE", "auto-detected", "fixed by swiftc-infer".
    package static var coreSource: String {
        if ProcessInfo.processInfo.environment[relaunchMarker] != nil { return "selected by swiftc-infer" }
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil { return "set by OPENBLAS_CORETYPE" }
        return "detected by OpenBLAS"
    }

    /// The CPU's model name ("AMD EPYC", "Intel(R) Xeon(R) Platinum 8592+"), for reports.
    package static var cpuModel: String { CPUFeatures.current.modelName }

    /// One line for reports: CPU model, OpenBLAS core and where it came from, and the threads
    /// an engine runs on, e.g. "CPU: AMD EPYC (AVX-512); SIMD kernels: AVX-512; bf16 GEMM:
    /// AVX512-BF16 (vdpbf16ps) (no AMX: ...); BLAS: OpenBLAS
    /// SkylakeX core (selected by swiftc-infer), single-threaded; engine threads: 2".
    package static func summary(threads: Int) -> String {
        let cpu = CPUFeatures.current
        let isa = cpu.hasAVX512 ? "AVX-512" : cpu.hasAVX2FMA ? "AVX2+FMA" : "no AVX2"
        return "CPU: \(cpu.modelName) (\(isa)); SIMD kernels: \(SIMDKernels.name); bf16 GEMM: \(BF16Kernel.report); int8 GEMM: \(Int8Kernel.report); BLAS: OpenBLAS \(coreName) core (\(coreSource)), single-threaded; engine threads: \(threads)"
    }

    /// The best core name for this CPU's features, or nil when OpenBLAS' choice can stand.
    package static var recommendedCore: String? {
        let cpu = CPUFeatures.current
        if cpu.hasAVX512 { return "SkylakeX" }
        if cpu.hasAVX2FMA { return "Haswell" }
        return nil
    }

    /// True when OpenBLAS runs kernels weaker than the CPU supports and the user did not choose them.
    package static var coreIsWeak: Bool {
        coreToSelect(current: coreName, userSetting: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
                     recommended: recommendedCore) != nil
    }

    /// The decision, as a pure function: the core to switch to, or nil to keep `current`.
    /// A user's own `OPENBLAS_CORETYPE` always stands; otherwise switch only to something stronger.
    package static func coreToSelect(current: String, userSetting: String?, recommended: String?) -> String? {
        guard userSetting == nil, let recommended, rank(current) < rank(recommended) else { return nil }
        return recommended
    }

    private static let relaunchMarker = "SWIFTC_INFER_BLAS_RELAUNCHED"

    /// Re-executes this program with `OPENBLAS_CORETYPE` set when OpenBLAS picked a weak core.
    /// Returns normally when nothing needs fixing (or the re-exec failed, after a warning).
    public static func relaunchWithBestCoreIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        guard env[relaunchMarker] == nil,
              let best = coreToSelect(current: coreName, userSetting: env["OPENBLAS_CORETYPE"], recommended: recommendedCore)
        else { return }
        setenv("OPENBLAS_CORETYPE", best, 1)
        setenv(relaunchMarker, "1", 1)
        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // Only reached if exec failed: carry on with the weak core, once warned.
        unsetenv("OPENBLAS_CORETYPE")
        warnIfWeak()
    }

    nonisolated(unsafe) private static var warned = false
    private static let warnLock = NSLock()

    /// Prints, once per process, what to set when OpenBLAS runs a weak core.
    package static func warnIfWeak() {
        guard coreIsWeak, let best = recommendedCore else { return }
        warnLock.lock()
        defer { warnLock.unlock() }
        guard !warned else { return }
        warned = true
        FileHandle.standardError.write(Data("warning: OpenBLAS is running its \(coreName) kernels on a CPU that supports \(best); GEMMs run ~4x slower. Set OPENBLAS_CORETYPE=\(best) before the process starts, or call BLASRuntime.relaunchWithBestCoreIfNeeded() first in main.\n".utf8))
    }

    /// Makes OpenBLAS single-threaded (the engine's threads run its GEMMs; see `threadCount`)
    /// and warns, once, about a weak core. `Engine` calls it; call it yourself only before
    /// using OpenBLAS directly in a process that also runs engines.
    public static func ensureConfigured() {
        BLASCore.pinSingleThreaded()
        warnIfWeak()
    }

    /// Coarse ordering of OpenBLAS x86 core names by SIMD width.
    package static func rank(_ core: String) -> Int {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": 3
        case "haswell", "zen", "excavator": 2
        case "sandybridge", "bulldozer", "piledriver", "steamroller": 1
        default: 0
        }
    }
}
