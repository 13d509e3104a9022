import COpenBLAS

/// OpenBLAS runtime controls: the detected core, and its threading, which the engine turns off.
///
/// OpenBLAS' own worker threads keep spinning (`sched_yield`) after each GEMM; on a 2-core
/// machine they took the second core from the engine's kernels between GEMMs, so the engine
/// runs OpenBLAS on one thread and splits GEMMs over its own `WorkerPool` (BLASThreadSplit.swift).
/// Single-threaded OpenBLAS also runs calls from several threads concurrently and safely.
package enum BLASCore {
    package static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The threads OpenBLAS would have used by itself (`OPENBLAS_NUM_THREADS`, else the cores),
    /// read once before the first `pinSingleThreaded`: the engine's default thread count.
    package static let defaultThreadCount: Int = max(1, Int(openblas_get_num_threads()))

    /// The threads OpenBLAS runs a call on right now (1 once pinned).
    package static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Makes OpenBLAS run every call on its caller's thread. Idempotent; cheap once done.
    package static func pinSingleThreaded() {
        _ = defaultThreadCount
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
    }

    /// Sets OpenBLAS' own thread count: only for `swiftc-infer blas`, which compares its
    /// threading with the engine's. Never while engine GEMMs run.
    package static func setThreadCount(_ n: Int) { openblas_set_num_threads(Int32(n)) }
}
