import Foundation

/// Nanoseconds from a monotonic clock: what every benchmark and profile measurement reads.
package enum MonotonicClock {
    @inline(__always)
    package static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Seconds taken by `body` and its result.
    package static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = nanoseconds()
        let value = try body()
        return (value, Double(nanoseconds() - start) / 1e9)
    }
}
