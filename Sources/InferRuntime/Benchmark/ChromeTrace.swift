import Foundation

/// Chrome trace-event JSON (the format chrome://tracing, Perfetto and ONNX Runtime's profiler
/// use): one "X" (complete) event per node per traced run, `ts`/`dur` in microseconds from the
/// first traced run, `cat` the op type, `args` the shapes and FLOPs; plus one event per run.
package enum ChromeTrace {
    package static func events(from profile: ProfileResult, processName: String, pid: Int = 1, origin: UInt64? = nil) -> [[String: Any]] {
        guard let origin = origin ?? profile.tracedRuns.first?.start else { return [] }
        func micros(_ t: UInt64) -> Double { Double(t &- origin) / 1e3 }
        var events: [[String: Any]] = [
            ["name": "process_name", "ph": "M", "pid": pid, "tid": 1, "args": ["name": processName]],
        ]
        for (run, traced) in profile.tracedRuns.enumerated() {
            events.append(["name": "run \(run)", "cat": "run", "ph": "X", "pid": pid, "tid": 1,
                           "ts": micros(traced.start), "dur": Double(traced.end &- traced.start) / 1e3, "args": ["run": run]])
            for (k, span) in traced.spans.enumerated() where k < profile.nodes.count {
                let node = profile.nodes[k]
                events.append(["name": node.name, "cat": node.opType, "ph": "X", "pid": pid, "tid": 1,
                               "ts": micros(span.start), "dur": Double(span.nanoseconds) / 1e3,
                               "args": ["op_type": node.opType, "input_shapes": node.inputShapes.joined(separator: ", "),
                                        "output_shapes": node.outputShapes.joined(separator: ", "),
                                        "flops": node.flops, "bytes": node.bytes, "run": run] as [String: Any]])
            }
        }
        return events
    }

    /// Writes one trace holding each profile as its own process (e.g. fused and unfused).
    package static func write(_ profiles: [(name: String, profile: ProfileResult)], to url: URL) throws {
        let origin = profiles.compactMap { $0.profile.tracedRuns.first?.start }.min()
        var all: [[String: Any]] = []
        for (k, p) in profiles.enumerated() {
            all += events(from: p.profile, processName: p.name, pid: k + 1, origin: origin)
        }
        let object: [String: Any] = ["traceEvents": all, "displayTimeUnit": "ms"]
        let data = try JSONSerialization.data(withJSONObject: object, options: [])
        do { try data.write(to: url) } catch {
            throw InferError(.io, "\(url.path): cannot write the trace: \(error.localizedDescription)")
        }
    }
}
