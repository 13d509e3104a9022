/// Summary of a latency sample: order statistics by linear interpolation between closest
/// ranks (NumPy's default `percentile`), so p50 <= p90 <= p99 always holds.
package struct LatencyStatistics: Sendable, Equatable {
    /// Samples in seconds, ascending.
    package let sorted: [Double]

    package init(seconds samples: [Double]) {
        sorted = samples.filter { $0.isFinite }.sorted()
    }

    package var count: Int { sorted.count }
    package var min: Double { sorted.first ?? .nan }
    package var max: Double { sorted.last ?? .nan }
    package var mean: Double { sorted.isEmpty ? .nan : sorted.reduce(0, +) / Double(sorted.count) }
    package var p50: Double { percentile(50) }
    package var p90: Double { percentile(90) }
    package var p99: Double { percentile(99) }

    /// Runs per second at the mean latency (one inference at a time).
    package var throughputPerSecond: Double { mean > 0 ? 1 / mean : .nan }

    /// The `p`-th percentile, `p` in 0...100.
    package func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Swift.min(Swift.max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = rank - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
