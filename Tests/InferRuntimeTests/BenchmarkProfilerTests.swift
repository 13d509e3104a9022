import Foundation
import Testing
import InferIR
@testable import InferRuntime

@Suite struct BenchmarkProfilerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func alternatingRunnerGivesEveryTargetItsRuns() throws {
        let url = Self.root.appendingPathComponent("Graphs/mlp.onnxtxt")
        let a = try BenchmarkTarget(label: "fused", url: url, options: .init(threads: 1, optimization: .full))
        let b = try BenchmarkTarget(label: "unfused", url: url, options: .init(threads: 1, optimization: .none))
        let feeds = try BenchmarkInputs.make(for: a.engine.inputs, in: a.engine.model, given: [:], dims: ["N": 4])
        try a.prepare(feeds: feeds)
        try b.prepare(feeds: feeds)
        #expect(a.arenaBytes ?? 0 > 0, "the -O2 engine runs a static plan")
        #expect(b.arenaBytes == nil, "-O0 runs the dynamic executor")
        var order: [String] = []
        try BenchmarkRunner.measure([a, b], options: BenchmarkOptions(warmup: 1, iterations: 25, blockSize: 10)) { label, _, _ in
            order.append(label)
        }
        #expect(a.samples.count == 25 && b.samples.count == 25)
        #expect(order == ["fused", "unfused", "fused", "unfused", "fused", "unfused"], "blocks alternate")
        a.flopsPerRun = BenchmarkTarget.flops(of: a.engine.model, feeds: feeds)
        // 2 MatMuls (4x16x8, 4x8x4) = 2*(512+128) plus elementwise.
        #expect((a.flopsPerRun ?? 0) >= 1280)
        let g = try #require(a.gflops)
        #expect(g > 0 && g.isFinite)
        let report = BenchmarkReport(model: "mlp", threads: 1, blasCore: "x", targets: [a, b])
        #expect(report.speedupP50 != nil)
        let json = report.jsonObject
        for key in ["model", "threads", "blas_core", "fused", "unfused", "speedup_p50"] { #expect(json[key] != nil, "\(key)") }
    }

    @Test func durationBoundsTheLoop() throws {
        let url = Self.root.appendingPathComponent("Graphs/mlp.onnxtxt")
        let a = try BenchmarkTarget(label: "fused", url: url, options: .init(threads: 1, optimization: .full))
        try a.prepare(feeds: try BenchmarkInputs.make(for: a.engine.inputs, in: a.engine.model, given: [:], dims: ["N": 2]))
        let start = Date()
        try BenchmarkRunner.measure([a], options: BenchmarkOptions(warmup: 0, duration: 0.05))
        #expect(a.samples.count >= 1)
        #expect(Date().timeIntervalSince(start) < 5)
    }

    /// Node times must account for the run: the profiled loop only adds input/output copies and
    /// (at -O0) slot bookkeeping outside the nodes. Debug builds make the kernels slower, not the
    /// bookkeeping, so the 10% bound holds there too; models are chosen so nodes dominate.
    @Test(arguments: [("Graphs/models/convnet/model.onnx", OptimizationLevel.full),
                      ("Graphs/models/convnet/model.onnx", OptimizationLevel.none),
                      ("Graphs/models/mlp/model.onnx", OptimizationLevel.full)])
    func nodeTimesAddUpToTheRun(_ path: String, _ level: OptimizationLevel) throws {
        let engine = try Engine(contentsOf: Self.root.appendingPathComponent(path), threads: 1, optimization: level)
        let feeds = try BenchmarkInputs.make(for: engine.inputs, in: engine.model, given: [:], dims: ["N": 8])
        let profiler = try Profiler(engine: engine, feeds: feeds)
        #expect(profiler.programKind == (level == .none ? "dynamic program" : "planned program"))
        let result = try profiler.run(warmup: 2, iterations: 10, traceRuns: 2)
        #expect(result.runs == 10)
        #expect(result.coverage > 0.9 && result.coverage <= 1.0, "node sum \(result.meanNodeSumSeconds) s vs run \(result.meanRunSeconds) s")
        // The profiled run computes what the normal one does.
        let rows = result.byOpType
        #expect(rows.reduce(0) { $0 + $1.nodes } == profiler.nodes.count)
        #expect(rows.contains { $0.flopsPerRun > 0 })
        let text = result.report(peak: nil)
        #expect(text.contains("per op type"))
        // Trace: one run event plus one event per step per traced run, all complete events with durations.
        let events = ChromeTrace.events(from: result, processName: "test")
        let complete = events.filter { $0["ph"] as? String == "X" }
        #expect(complete.count == 2 * (profiler.nodes.count + 1))
        #expect(complete.allSatisfy { ($0["dur"] as? Double ?? -1) >= 0 && ($0["ts"] as? Double ?? -1) >= 0 })
        _ = try JSONSerialization.data(withJSONObject: ["traceEvents": events])
    }

    @Test func profiledRunMatchesTheNormalRun() throws {
        let engine = try Engine(contentsOf: Self.root.appendingPathComponent("Graphs/models/convnet/model.onnx"), threads: 1)
        let feeds = try BenchmarkInputs.make(for: engine.inputs, in: engine.model, given: [:], dims: [:])
        let plan = try engine.plan(for: feeds)
        let session = try ProgramSession(program: plan)
        var spans: [StepSpan] = []
        let profiled = try session.runProfiled(feeds, into: &spans)
        let normal = try engine.run(feeds)
        #expect(spans.count == plan.steps.count)
        #expect(spans.allSatisfy { $0.end >= $0.start })
        for (name, t) in normal { #expect(profiled[name] == t, "\(name)") }
        let unplanned = try ProgramSession(program: Program(model: engine.model, layout: .dynamic))
        let dynamic = try unplanned.runProfiled(feeds, into: &spans)
        #expect(spans.count == unplanned.stepNodes.count)
        for (name, t) in normal {
            let cmp = TensorComparison(actual: dynamic[name]!, expected: t, rtol: 1e-4, atol: 1e-5)
            #expect(cmp.passed, "\(name): \(cmp)")
        }
    }
}
