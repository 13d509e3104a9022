import Foundation
import InferKernels

/// Process-wide OpenBLAS state as the engine sees it: the core it runs and its thread count.
public enum BLASRuntime {
    /// Sets OpenBLAS' thread count once (when asked) and warns once if its core is weak.
    public static func ensureConfigured(threads: Int?) {
        if let threads, threads > 0 { BLASCore.setThreadCount(threads) }
    }

    /// The kernel family OpenBLAS runs (`Prescott`, `SkylakeX`, `Haswell`, ...).
    public static var coreName: String { BLASCore.coreName }
    public static var threadCount: Int { BLASCore.threadCount }
}
