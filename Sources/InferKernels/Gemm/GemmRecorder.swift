import Foundation
import Synchronization

/// Records the GEMM calls a run makes, so `bench --blas-bound` can time them alone (the same
/// shapes, transposes and threads, in the same order) and say how much of a run is not GEMM.
/// Off unless `recording` runs; then every `BLAS.gemm` is one entry, except calls a kernel
/// makes for parts of a larger product, which that kernel records as one entry itself (a
/// convolution's per-thread parts as its whole GEMM; attention's per-head products as a group
/// run in parallel, as the kernel runs them).
package enum GemmRecorder {
    /// One GEMM's shape, as `BLAS.gemm` takes it (dims of op(A) and op(B)).
    package struct Shape: Sendable, Equatable {
        package var transA: Bool, transB: Bool
        package var m: Int, n: Int, k: Int
        package init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int) {
            self.transA = transA; self.transB = transB; self.m = m; self.n = n; self.k = k
        }
        package var flops: Int { 2 * m * n * k }
    }

    /// `shapes` in order, `repeats` times: split over `threads` threads one repeat per task
    /// when `repeats` > 1 (each GEMM then on its task's thread), else each GEMM split itself.
    package struct Entry: Sendable, Equatable {
        package var shapes: [Shape]
        package var repeats: Int
        package var threads: Int
        package var flops: Int { shapes.reduce(0) { $0 + $1.flops } * repeats }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [Entry] = []
    /// The thread `recording` runs on (0 when off): only its calls are recorded, so kernels
    /// that other threads run at the same time (other sessions, other tests) stay out, and
    /// build nothing to record either: a steady-state run on another thread allocates nothing
    /// while one thread records. The kernels record on the thread that called them; their
    /// parts on pool workers are not recorded.
    private static let owner = Atomic<UInt>(0)

    private static var currentThread: UInt {
        #if os(Linux)
        UInt(pthread_self())
        #else
        UInt(bitPattern: pthread_self())
        #endif
    }

    /// True on the thread `recording` runs on, while it runs (one relaxed load on every GEMM
    /// otherwise).
    @inline(__always)
    package static var isRecording: Bool {
        let recorder = owner.load(ordering: .relaxed)
        return recorder != 0 && recorder == currentThread
    }

    /// Held for a whole recording: one at a time, process-wide (a second waits).
    private static let recordingLock = NSLock()

    /// Runs `body` with recording on and returns what it recorded. One recording at a time,
    /// process-wide; do not nest.
    package static func recording<R>(_ body: () throws -> R) rethrows -> (R, [Entry]) {
        recordingLock.lock()
        defer { recordingLock.unlock() }
        lock.lock()
        entries = []
        lock.unlock()
        owner.store(currentThread, ordering: .sequentiallyConsistent)
        defer { owner.store(0, ordering: .sequentiallyConsistent) }
        let result = try body()
        lock.lock()
        defer { lock.unlock() }
        return (result, entries)
    }

    /// Appends an entry while recording, when called on the recording thread (no-op otherwise).
    package static func record(_ shapes: [Shape], repeats: Int = 1, threads: Int) {
        guard isRecording, repeats > 0, !shapes.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        entries.append(Entry(shapes: shapes, repeats: repeats, threads: max(1, threads)))
    }
}
