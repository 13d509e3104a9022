import COpenBLAS
import Foundation

/// Serializes OpenBLAS calls while OpenBLAS runs its own worker threads.
///
/// With more than one OpenBLAS thread, concurrent `cblas_*` calls from several application
/// threads share OpenBLAS' one thread pool and its buffers; Debian's 0.3.21 then returns wrong
/// results now and then (seen here: the 16-caller concurrency test failed on a fresh CI clone
/// whenever another test had set OpenBLAS to 2 threads; upstream reports of the same symptom:
/// OpenBLAS issues 1755, 2126, 4345). Each GEMM already uses every core in that mode, so taking
/// turns costs little. With one OpenBLAS thread each call runs on its caller's thread and
/// calls run concurrently, unlocked.
package enum BLASLock {
    private static let lock = NSLock()

    @inline(__always)
    package static func serialized<R>(_ body: () throws -> R) rethrows -> R {
        guard openblas_get_num_threads() > 1 else { return try body() }
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body` (a thread-count change) holding the lock, so it never lands mid-call.
    package static func changingThreadCount(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body()
    }
}
