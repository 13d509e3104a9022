import COpenBLAS
import Foundation

/// Serializes OpenBLAS calls while OpenBLAS runs its own worker threads.
///
/// With more than one OpenBLAS thread, concurrent `cblas_*` calls from several application
/// threads share OpenBLAS' one thread pool and its buffers; upstream has had reports of wrong
/// results in that situation (OpenBLAS issues 1755, 2126, 4345). We have not reproduced it with
/// Debian's 0.3.21 (`BLASConcurrencyTests` passes with and without this lock), so this is a
/// precaution: each GEMM already uses every core in that mode, so taking turns costs little.
/// With one OpenBLAS thread each call runs on its caller's thread and calls run concurrently,
/// unlocked.
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
