import Foundation

/// The benchmark's results as text (a table with one column per configuration) and as the
/// JSON object `bench --json` prints.
package struct BenchmarkReport {
    package let model: String
    package let threads: Int
    package let blasCore: String
    package let targets: [BenchmarkTarget]
    /// The fused configuration's GEMM calls timed alone (`bench --blas-bound`), when asked for.
    package var blasBound: BLASBound?

    package init(model: String, threads: Int, blasCore: String, targets: [BenchmarkTarget]) {
        self.model = model
        self.threads = threads
        self.blasCore = blasCore
        self.targets = targets
    }

    /// p50 of the unfused configuration over p50 of the fused one (nil unless both ran).
    package var speedupP50: Double? {
        guard let fused = targets.first(where: { $0.label == "fused" }),
              let unfused = targets.first(where: { $0.label == "unfused" }) else { return nil }
        let f = fused.statistics.p50, u = unfused.statistics.p50
        return f > 0 ? u / f : nil
    }

    /// One configuration's JSON fields (milliseconds, bytes, per second).
    package static func jsonFields(_ t: BenchmarkTarget) -> [String: Any] {
        let s = t.statistics
        func number(_ x: Double?) -> Any { x.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        return [
            "p50_ms": number(s.p50 * 1e3), "p90_ms": number(s.p90 * 1e3), "p99_ms": number(s.p99 * 1e3),
            "mean_ms": number(s.mean * 1e3), "min_ms": number(s.min * 1e3), "max_ms": number(s.max * 1e3),
            "iterations": s.count, "throughput_per_s": number(s.throughputPerSecond),
            "first_run_ms": number(t.firstRunSeconds * 1e3), "load_ms": number(t.loadSeconds * 1e3),
            "arena_bytes": t.arenaBytes.map { $0 as Any } ?? NSNull(), "peak_rss_bytes": t.peakResidentBytes,
            "gflops": number(t.gflops),
        ]
    }

    package var jsonObject: [String: Any] {
        var object: [String: Any] = ["model": model, "threads": threads, "blas_core": blasCore, "cpu": BLASRuntime.cpuModel]
        for t in targets { object[t.label] = Self.jsonFields(t) }
        if let speedupP50 { object["speedup_p50"] = speedupP50 }
        if let blasBound, let fused = targets.first {
            var bound: [String: Any] = ["gemm_calls": blasBound.callCount, "gemm_flops": blasBound.flops,
                                        "gemm_p50_ms": blasBound.statistics.p50 * 1e3]
            if let ratio = blasBound.ratio(runP50: fused.statistics.p50) { bound["ratio"] = ratio }
            object["blas_bound"] = bound
        }
        return object
    }

    package static func jsonText(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    package var text: String {
        var lines: [String] = []
        let header = ["".padding(toLength: 18, withPad: " ", startingAt: 0)] + targets.map { pad($0.label, 14) }
        lines.append(header.joined())
        func row(_ name: String, _ value: (BenchmarkTarget) -> String) {
            lines.append(name.padding(toLength: 18, withPad: " ", startingAt: 0) + targets.map { pad(value($0), 14) }.joined())
        }
        func ms(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x * 1e3) : "-" }
        row("optimization") { "-O\($0.engine.optimization.rawValue)" }
        row("load ms") { ms($0.loadSeconds) }
        row("first run ms") { ms($0.firstRunSeconds) }
        row("iterations") { "\($0.statistics.count)" }
        row("min ms") { ms($0.statistics.min) }
        row("p50 ms") { ms($0.statistics.p50) }
        row("p90 ms") { ms($0.statistics.p90) }
        row("p99 ms") { ms($0.statistics.p99) }
        row("mean ms") { ms($0.statistics.mean) }
        row("max ms") { ms($0.statistics.max) }
        row("throughput /s") { String(format: "%.1f", $0.statistics.throughputPerSecond) }
        row("GFLOP/s") { $0.gflops.map { String(format: "%.2f", $0) } ?? "-" }
        row("arena") { $0.arenaBytes.map(Self.bytes) ?? "(dynamic)" }
        row("peak RSS") { Self.bytes($0.peakResidentBytes) }
        if let speedupP50 { lines.append(String(format: "speedup (p50, unfused / fused): %.2fx", speedupP50)) }
        if let blasBound, let fused = targets.first { lines.append(blasBound.summary(runP50: fused.statistics.p50)) }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : String(repeating: " ", count: width - s.count) + s
    }

    package static func bytes(_ n: Int) -> String {
        if n >= 1 << 20 { return String(format: "%.2f MiB", Double(n) / 1048576) }
        if n >= 1 << 10 { return String(format: "%.1f KiB", Double(n) / 1024) }
        return "\(n) B"
    }

    package static func count(_ n: Int) -> String {
        if n >= 1_000_000_000 { return String(format: "%.3f G", Double(n) / 1e9) }
        if n >= 1_000_000 { return String(format: "%.3f M", Double(n) / 1e6) }
        if n >= 1_000 { return String(format: "%.1f K", Double(n) / 1e3) }
        return "\(n)"
    }
}
