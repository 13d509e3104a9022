import COpenBLAS

/// OpenBLAS runtime controls: the detected core and the thread count.
package enum BLASCore {
    package static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    package static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Changes OpenBLAS' process-wide thread count; never while a serialized call is running.
    package static func setThreadCount(_ n: Int) { BLASLock.changingThreadCount { openblas_set_num_threads(Int32(n)) } }
}
