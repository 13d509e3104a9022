import Foundation

/// How long to measure.
package struct BenchmarkOptions: Sendable {
    package var warmup = 10
    /// Timed runs per target (ignored when `duration` is set).
    package var iterations = 100
    /// Seconds of timed runs per target, instead of a fixed count.
    package var duration: Double?
    /// Runs per block when several targets alternate.
    package var blockSize = 10

    package init(warmup: Int = 10, iterations: Int = 100, duration: Double? = nil, blockSize: Int = 10) {
        self.warmup = warmup
        self.iterations = iterations
        self.duration = duration
        self.blockSize = blockSize
    }
}

/// The timed loop. With several targets (fused and unfused), runs alternate in blocks, so slow
/// drift of the machine (other processes, frequency, thermal) hits every target alike.
package enum BenchmarkRunner {
    /// Progress after each block: target label, runs done for it, runs planned (nil for a duration).
    package typealias Progress = (_ label: String, _ done: Int, _ planned: Int?) -> Void

    /// Upper bound on runs per target with `--duration`, so a tiny model cannot fill memory.
    package static let maxRunsPerTarget = 1_000_000

    package static func measure(_ targets: [BenchmarkTarget], options: BenchmarkOptions, progress: Progress? = nil) throws {
        for target in targets {
            target.samples = []
            for _ in 0..<max(options.warmup, 0) { _ = try target.timedRun() }
        }
        let block = max(options.blockSize, 1)
        let planned = options.duration == nil ? max(options.iterations, 1) : nil
        for target in targets { target.samples.reserveCapacity(min(planned ?? 10_000, maxRunsPerTarget)) }
        var spent = [Double](repeating: 0, count: targets.count)
        func finished(_ k: Int) -> Bool {
            if let duration = options.duration {
                return (spent[k] >= duration && !targets[k].samples.isEmpty) || targets[k].samples.count >= maxRunsPerTarget
            }
            return targets[k].samples.count >= planned!
        }
        while !targets.indices.allSatisfy(finished) {
            for (k, target) in targets.enumerated() where !finished(k) {
                let runs = planned.map { min(block, $0 - target.samples.count) } ?? block
                for _ in 0..<runs {
                    let t = try target.timedRun()
                    target.samples.append(t)
                    spent[k] += t
                }
                progress?(target.label, target.samples.count, planned)
            }
        }
    }
}
