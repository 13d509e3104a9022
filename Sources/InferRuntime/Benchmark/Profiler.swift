import Foundation
import InferIR

/// Times every step of an engine's compiled program over repeated runs: the planned program for
/// these inputs (`-O1`/`-O2`), or the `.dynamic` one (`-O0`). `ProgramSession.runProfiled` is
/// the engine's own run loop with a clock read around each step.
package final class Profiler {
    /// A step's static description: what it is, its shapes, its cost per call.
    package struct NodeInfo: Sendable {
        package let name: String
        package let opType: String
        package let inputShapes: [String]
        package let outputShapes: [String]
        package let flops: Int
        /// Bytes of all inputs plus all outputs.
        package let bytes: Int
    }

    package let session: ProgramSession
    package let nodes: [NodeInfo]
    private let feeds: [String: Tensor]

    package init(engine: Engine, feeds: [String: Tensor]) throws {
        self.feeds = feeds
        let graph: Graph
        let order: [Node]
        if engine.optimization != .none {
            let plan = try engine.plan(for: feeds)
            session = try ProgramSession(program: plan)
            graph = plan.model.graph
        } else {
            session = try ProgramSession(program: Program(model: engine.model, layout: .dynamic, threads: engine.threads))
            graph = (try? BenchmarkTarget.boundModel(engine.model, feeds: feeds))?.graph ?? engine.model.graph
        }
        order = session.stepNodes
        nodes = order.enumerated().map { Self.describe($1, index: $0, in: graph) }
    }

    /// "planned program", "planned program (N steps sized at run time)", or "dynamic program".
    package var programKind: String {
        let program = session.program
        guard program.layout == .planned else { return "dynamic program" }
        return program.dynamicStepCount == 0 ? "planned program" : "planned program (\(program.dynamicStepCount) steps sized at run time)"
    }

    /// `warmup` unrecorded runs, then `iterations` profiled ones; the first `traceRuns` keep
    /// every span for a trace file.
    package func run(warmup: Int, iterations: Int, traceRuns: Int = 0) throws -> ProfileResult {
        var spans: [StepSpan] = []
        spans.reserveCapacity(nodes.count)
        func once() throws -> (UInt64, UInt64) {
            let start = MonotonicClock.nanoseconds()
            _ = try session.runProfiled(feeds, into: &spans)
            return (start, MonotonicClock.nanoseconds())
        }
        for _ in 0..<max(warmup, 0) { _ = try once() }
        var result = ProfileResult(nodes: nodes, programKind: programKind)
        for run in 0..<max(iterations, 1) {
            let (start, end) = try once()
            result.record(spans: spans, runStart: start, runEnd: end, keepTrace: run < traceRuns)
        }
        return result
    }

    static func describe(_ node: Node, index: Int, in graph: Graph) -> NodeInfo {
        func type(_ name: String) -> (DType, [Int])? {
            if let t = graph.initializers[name] { return (t.dtype, t.shape) }
            let type = graph.valueInfo[name] ?? graph.inputs.first { $0.name == name }?.type
                ?? graph.outputs.first { $0.name == name }?.type
            guard let type, let dims = type.staticDims else { return nil }
            return (type.dtype, dims)
        }
        func text(_ name: String) -> String {
            guard let (dtype, dims) = type(name) else { return "?" }
            return "\(dtype)[\(dims.map(String.init).joined(separator: ","))]"
        }
        func bytes(_ name: String) -> Int {
            guard let (dtype, dims) = type(name) else { return 0 }
            return (elementCount(dims) ?? 0) * dtype.byteSize
        }
        let inputs = node.inputs.filter { !$0.isEmpty }
        let outputs = node.outputs.filter { !$0.isEmpty }
        return NodeInfo(name: node.name.isEmpty ? "\(node.opType)_\(index)" : node.name,
                        opType: node.qualifiedOpType,
                        inputShapes: inputs.map(text), outputShapes: outputs.map(text),
                        flops: (try? CostModel.flops(of: node, in: graph)) ?? 0,
                        bytes: (inputs + outputs).reduce(0) { $0 + bytes($1) })
    }
}

/// Accumulated step times over profiled runs, and the reports made from them.
package struct ProfileResult {
    package let nodes: [Profiler.NodeInfo]
    package let programKind: String
    /// Total nanoseconds per step over all recorded runs.
    package private(set) var stepNanoseconds: [UInt64]
    package private(set) var runNanoseconds: [UInt64] = []
    /// Per run, the sum of its step times.
    private var runStepNanoseconds: [UInt64] = []
    /// Spans of the runs kept for the trace, with each run's own start and end.
    package private(set) var tracedRuns: [(start: UInt64, end: UInt64, spans: [StepSpan])] = []

    init(nodes: [Profiler.NodeInfo], programKind: String) {
        self.nodes = nodes
        self.programKind = programKind
        stepNanoseconds = [UInt64](repeating: 0, count: nodes.count)
    }

    mutating func record(spans: [StepSpan], runStart: UInt64, runEnd: UInt64, keepTrace: Bool) {
        var inSteps: UInt64 = 0
        for (k, span) in spans.enumerated() where k < stepNanoseconds.count {
            stepNanoseconds[k] += span.nanoseconds
            inSteps += span.nanoseconds
        }
        runNanoseconds.append(runEnd - runStart)
        runStepNanoseconds.append(inSteps)
        if keepTrace { tracedRuns.append((runStart, runEnd, spans)) }
    }

    package var runs: Int { runNanoseconds.count }
    /// Mean wall time of one profiled run, in seconds.
    package var meanRunSeconds: Double { Double(runNanoseconds.reduce(0, +)) / Double(max(runs, 1)) / 1e9 }
    /// Mean of the per-run sum of step times, in seconds.
    package var meanNodeSumSeconds: Double { Double(stepNanoseconds.reduce(0, +)) / Double(max(runs, 1)) / 1e9 }
    /// Share of a run's time spent inside its steps (1 = every nanosecond attributed to a node):
    /// the median over runs, so one run descheduled between two steps does not skew it.
    package var coverage: Double {
        let shares = zip(runStepNanoseconds, runNanoseconds).filter { $1 > 0 }.map { Double($0) / Double($1) }.sorted()
        return shares.isEmpty ? .nan : shares[shares.count / 2]
    }

    package struct OpTypeRow: Sendable {
        package let opType: String
        package let nodes: Int
        package let calls: Int
        /// Mean seconds per run spent in this op type.
        package let secondsPerRun: Double
        package let flopsPerRun: Int
        package let bytesPerRun: Int
        package var meanCallSeconds: Double { nodes > 0 ? secondsPerRun / Double(nodes) : 0 }
        package var gflops: Double { secondsPerRun > 0 ? Double(flopsPerRun) / secondsPerRun / 1e9 : 0 }
        package var gbPerSecond: Double { secondsPerRun > 0 ? Double(bytesPerRun) / secondsPerRun / 1e9 : 0 }
        package var intensity: Double { bytesPerRun > 0 ? Double(flopsPerRun) / Double(bytesPerRun) : .infinity }
    }

    /// Per op type, most time first.
    package var byOpType: [OpTypeRow] {
        var order: [String] = []
        var acc: [String: (nodes: Int, nanos: UInt64, flops: Int, bytes: Int)] = [:]
        for (k, node) in nodes.enumerated() {
            if acc[node.opType] == nil { order.append(node.opType) }
            var a = acc[node.opType, default: (0, 0, 0, 0)]
            a.nodes += 1; a.nanos += stepNanoseconds[k]; a.flops += node.flops; a.bytes += node.bytes
            acc[node.opType] = a
        }
        let r = Double(max(runs, 1))
        return order.map { op in
            let a = acc[op]!
            return OpTypeRow(opType: op, nodes: a.nodes, calls: a.nodes * runs, secondsPerRun: Double(a.nanos) / r / 1e9,
                             flopsPerRun: a.flops, bytesPerRun: a.bytes)
        }.sorted { $0.secondsPerRun > $1.secondsPerRun }
    }

    /// Mean seconds per run of step `k`.
    package func seconds(ofStep k: Int) -> Double { Double(stepNanoseconds[k]) / Double(max(runs, 1)) / 1e9 }

    /// The human report: totals, top nodes, per-op-type table read against the machine's roofs.
    package func report(top: Int = 15, peak: MachinePeak?, unprofiledP50: Double? = nil) -> String {
        var lines: [String] = []
        let total = meanRunSeconds
        lines.append("profile: \(runs) runs of the \(programKind), \(nodes.count) steps")
        lines.append(String(format: "  run time (mean, profiled): %.3f ms; node times sum: %.3f ms (median %.1f%% of a run)",
                            total * 1e3, meanNodeSumSeconds * 1e3, coverage * 100))
        if let unprofiledP50 { lines.append(String(format: "  unprofiled run p50: %.3f ms", unprofiledP50 * 1e3)) }
        if let peak { lines.append("  " + peak.summary) }
        lines.append("")
        lines.append("top \(min(top, nodes.count)) nodes (mean per run):")
        lines.append("  " + pad("ms", 9, left: true) + pad("share", 8, left: true) + pad("GFLOP/s", 9, left: true) + "  " + pad("op", 22) + pad("name", 28) + "output")
        let ranked = nodes.indices.sorted { stepNanoseconds[$0] > stepNanoseconds[$1] }.prefix(top)
        for k in ranked {
            let s = seconds(ofStep: k)
            let g = s > 0 ? Double(nodes[k].flops) / s / 1e9 : 0
            lines.append("  " + pad(String(format: "%.3f", s * 1e3), 9, left: true) + pad(String(format: "%.1f%%", share(s)), 8, left: true)
                         + pad(nodes[k].flops > 0 ? String(format: "%.1f", g) : "-", 9, left: true) + "  "
                         + pad(nodes[k].opType, 22) + pad(nodes[k].name, 28) + nodes[k].outputShapes.joined(separator: " "))
        }
        lines.append("")
        lines.append("per op type (mean per run):")
        lines.append("  " + pad("op", 24) + pad("nodes", 6, left: true) + pad("calls", 8, left: true) + pad("total ms", 10, left: true)
                     + pad("mean us", 10, left: true) + pad("share", 8, left: true) + pad("MFLOP", 10, left: true)
                     + pad("GFLOP/s", 9, left: true) + pad("MB", 9, left: true) + pad("GB/s", 8, left: true)
                     + pad("FLOP/B", 8, left: true) + "  bound (% of roof)")
        for row in byOpType {
            var bound = "-"
            if let peak, row.secondsPerRun > 0 {
                if row.flopsPerRun > 0 && row.intensity >= peak.ridgeIntensity {
                    bound = String(format: "compute (%.0f%%)", row.gflops / peak.gemmGFLOPs * 100)
                } else if row.bytesPerRun > 0 {
                    bound = String(format: "memory (%.0f%%)", row.gbPerSecond / peak.bandwidthGBs * 100)
                }
            }
            lines.append("  " + pad(row.opType, 24) + pad("\(row.nodes)", 6, left: true) + pad("\(row.calls)", 8, left: true)
                         + pad(String(format: "%.3f", row.secondsPerRun * 1e3), 10, left: true)
                         + pad(String(format: "%.1f", row.meanCallSeconds * 1e6), 10, left: true)
                         + pad(String(format: "%.1f%%", share(row.secondsPerRun)), 8, left: true)
                         + pad(String(format: "%.2f", Double(row.flopsPerRun) / 1e6), 10, left: true)
                         + pad(row.flopsPerRun > 0 ? String(format: "%.1f", row.gflops) : "-", 9, left: true)
                         + pad(String(format: "%.2f", Double(row.bytesPerRun) / 1e6), 9, left: true)
                         + pad(String(format: "%.1f", row.gbPerSecond), 8, left: true)
                         + pad(row.intensity.isFinite ? String(format: "%.1f", row.intensity) : "-", 8, left: true)
                         + "  " + bound)
        }
        return lines.joined(separator: "\n")
    }

    private func share(_ seconds: Double) -> Double { meanRunSeconds > 0 ? seconds / meanRunSeconds * 100 : 0 }

    private func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        guard s.count < width else { return s + " " }
        let fill = String(repeating: " ", count: width - s.count)
        return left ? fill + s : s + fill
    }
}
