import ArgumentParser
import Foundation
import InferIR
import InferRuntime

struct BenchCommand: LimitedCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure latency, throughput and GFLOP/s; compare fused and unfused; profile per node.",
        discussion: """
        Inputs default to seeded random data of the declared shapes (symbolic dims need --dim);
        --input NAME=FILE (.npy or .pb) uses a file instead. With --compare-unfused the model is also
        compiled at -O0 and the two alternate in blocks of 10 runs, so machine drift hits both alike.
        --profile times every step of the compiled program in a separate, instrumented loop.
        SWIFTC_INFER_SIMD=avx2 or =baseline runs the SIMD kernels at a lower level than the CPU's.

        Examples:
          swiftc-infer bench Graphs/bench/bert_encoder --dim batch=1 --compare-unfused
          swiftc-infer bench Graphs/bench/bert_encoder --dim batch=1 --precision bf16   # with its error vs fp32
          swiftc-infer bench Graphs/bench/bert_encoder --dim batch=1 --quantize int8    # likewise
          swiftc-infer bench Graphs/bench/resnet --profile --trace resnet.trace.json
          swiftc-infer bench Graphs/bench/mlp_b1 --sweep N=1,2,4,8,16,32,64
          swiftc-infer bench Graphs/bench/bert_encoder --dim batch=1 --blas-bound
        """
    )

    @OptionGroup var limits: LimitOptions

    @Argument(help: "The model (.onnx, .onnxtxt, a compiled plan, or a test directory holding model.onnx).")
    var model: String

    @Option(name: .long, help: "Threads for the engine's kernels and GEMMs (default: OPENBLAS_NUM_THREADS, else all cores).")
    var threads: Int?

    @Option(name: .long, help: "Untimed runs before measuring (per configuration).")
    var warmup: Int = 10

    @Option(name: .long, help: "Timed runs per configuration.")
    var iterations: Int = 100

    @Option(name: .long, help: "Measure for this many seconds per configuration instead of --iterations.")
    var duration: Double?

    @OptionGroup var optimization: OptimizationOptions

    @Flag(name: .long, help: "Also measure the model at -O0, alternating, and print the p50 speedup.")
    var compareUnfused = false

    @Option(name: .long, help: ArgumentHelp("Run this model at fp32 on the same inputs once and print each output's max and mean absolute error against it (and top-1 agreement for [rows, classes] outputs). Default with --precision bf16 or --quantize int8: MODEL itself at fp32.", valueName: "MODEL"))
    var reference: String?

    @Flag(name: .long, help: "Print one JSON object on stdout instead of the table.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("An input tensor as NAME=FILE (repeatable).", valueName: "NAME=FILE"))
    var input: [String] = []

    @Option(name: .long, help: ArgumentHelp("Bind a symbolic dim (repeatable).", valueName: "NAME=VALUE"))
    var dim: [String] = []

    @Flag(name: .long, help: "Time every node and print the top nodes and a per-op-type table.")
    var profile = false

    @Option(name: .long, help: ArgumentHelp("Write a Chrome trace-event JSON of profiled runs (Perfetto).", valueName: "FILE"))
    var trace: String?

    @Flag(name: .long, help: ArgumentHelp("Also time the run's GEMM calls alone (same shapes, transposes and threads, in order, warm) and print run p50 / GEMM p50: how much of the run is not GEMM."))
    var blasBound = false

    @Option(name: .long, help: ArgumentHelp("Re-run for each value of a symbolic dim.", valueName: "NAME=1,2,4,..."))
    var sweep: String?

    @Option(name: .long, help: ArgumentHelp("Write every timed latency (ms) per configuration as JSON (for charts).", valueName: "FILE"))
    var saveSamples: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if warmup < 0 { throw ValidationError("--warmup must be non-negative") }
        if iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let duration, !(duration > 0 && duration.isFinite) { throw ValidationError("--duration must be a positive number of seconds") }
        if sweep != nil { _ = try parsedSweep() }
    }

    func parsedSweep() throws -> (name: String, values: [Int])? {
        guard let sweep else { return nil }
        let (name, list) = try TensorFiles.splitAssignment(sweep)
        let values = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--sweep \(sweep): expected NAME=V1,V2,... with positive integers")
        }
        return (name, values.map { $0! })
    }

    func run() throws {
        let url = try resolveModel()
        var given: [String: Tensor] = [:]
        for assignment in input {
            let (name, path) = try TensorFiles.splitAssignment(assignment)
            guard given[name] == nil else { throw ValidationError("input '\(name)' is given twice") }
            given[name] = try TensorFiles.read(path)
        }
        var dims = try parseDims(dim)
        let sweep = try parsedSweep()
        if let sweep { dims[sweep.name] = sweep.values[0] }

        let fused = try BenchmarkTarget(label: "fused", url: url, options: optimization.engineOptions(threads: threads))
        let engine = fused.engine
        if let sweep, !engine.model.inputSymbols.contains(sweep.name) {
            let symbols = engine.model.inputSymbols
            throw ValidationError("--sweep \(sweep.name): not a symbolic input dim of the model (it has \(symbols.isEmpty ? "none" : symbols.joined(separator: ", ")))")
        }
        let feeds = try makeFeeds(engine: engine, given: given, dims: dims)
        let unfused = compareUnfused
            ? try BenchmarkTarget(label: "unfused", url: url, options: Engine.Options(threads: threads, optimization: .none)) : nil
        let targets = [fused] + (unfused.map { [$0] } ?? [])
        let source = try? ModelLoader.load(url)   // FLOPs counted on the graph as written (nil for a plan)
        let options = BenchmarkOptions(warmup: warmup, iterations: iterations, duration: duration)
        let core = "\(BLASRuntime.coreName)"

        if let sweep {
            try runSweep(sweep, targets: targets, source: source, given: given, dims: dims, options: options, core: core)
            return
        }
        try measure(targets, feeds: feeds, source: source, options: options, progressPrefix: "")
        var report = BenchmarkReport(model: model, threads: engine.threads, blasCore: core, targets: targets)
        if blasBound {
            report.blasBound = try BLASBound.measure(warmup: min(warmup, 3), iterations: fused.statistics.count) {
                _ = try engine.run(feeds)
            }
        }
        if let saveSamples {
            let samples = Dictionary(uniqueKeysWithValues: targets.map { ($0.label, $0.samples.map { $0 * 1e3 }) })
            do { try Data(BenchmarkReport.jsonText(samples).utf8).write(to: URL(fileURLWithPath: saveSamples)) } catch {
                throw CLIError("\(saveSamples): cannot write the samples: \(error.localizedDescription)")
            }
        }
        let out = json ? Console.standardError : Console.standardOutput
        if json {
            print(try BenchmarkReport.jsonText(report.jsonObject))
        } else {
            printHeader(engine: engine, feeds: feeds, flops: fused.flopsPerRun)
            print(report.text)
        }
        if let (label, accuracy) = try accuracy(url: url, engine: engine, feeds: feeds, out: out) {
            out.write("accuracy against \(label):\n" + accuracy.lines.map { "  \($0)\n" }.joined())
        }
        if profile || trace != nil {
            try runProfiles(targets, out: out)
        }
    }

    /// The fp32 reference (`ReferenceModel`) run once on `feeds`, compared with `engine`'s
    /// outputs; nil when there is nothing to compare with.
    private func accuracy(url: URL, engine: Engine, feeds: [String: Tensor], out: Console) throws -> (String, AccuracyComparison)? {
        let (resolved, note) = ReferenceModel.resolve(explicit: reference, model: url, engine: engine, precision: optimization.precision)
        if let note { out.write(note + "\n") }
        guard let referenceURL = resolved else { return nil }
        let fp32 = try Engine(contentsOf: referenceURL, options: Engine.Options(threads: engine.threads, optimization: .full))
        let label = "\(referenceURL.path) at fp32"
        return (label, AccuracyComparison(outputs: try engine.run(feeds), reference: try fp32.run(feeds)))
    }

    private func resolveModel() throws -> URL {
        let url = URL(fileURLWithPath: model)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue else { return url }
        for name in ["model.onnx", "model.onnxtxt"] {
            let candidate = url.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw CLIError("\(model): a directory without model.onnx or model.onnxtxt")
    }

    private func makeFeeds(engine: Engine, given: [String: Tensor], dims: [String: Int]) throws -> [String: Tensor] {
        do {
            return try BenchmarkInputs.make(for: engine.inputs, in: engine.model, given: given, dims: dims)
        } catch let error as BenchmarkInputs.UnboundDims {
            throw ValidationError(error.description)
        }
    }

    /// First run, FLOPs, then the timed (alternating) loop with a progress line on a terminal.
    private func measure(_ targets: [BenchmarkTarget], feeds: [String: Tensor], source: Model?,
                         options: BenchmarkOptions, progressPrefix: String) throws {
        for target in targets { try target.prepare(feeds: feeds) }
        let flops = BenchmarkTarget.flops(of: source ?? targets[0].engine.model, feeds: feeds)
        for target in targets { target.flopsPerRun = flops }
        let progress = Console.progressLine(prefix: progressPrefix)
        try BenchmarkRunner.measure(targets, options: options, progress: progress?.update)
        progress?.finish()
    }

    private func printHeader(engine: Engine, feeds: [String: Tensor], flops: Int?) {
        print("model: \(model)")
        print(BLASRuntime.summary(threads: engine.threads))
        let shapes = engine.inputs.compactMap { info in feeds[info.name].map { "\(info.name) \($0.dtype)\($0.shape)\(input.contains { $0.hasPrefix(info.name + "=") } ? "" : " (random)")" } }
        print("inputs: \(shapes.joined(separator: ", "))")
        print("FLOPs per run: \(flops.map(BenchmarkReport.count) ?? "unknown")")
        print("")
    }

    private func runProfiles(_ targets: [BenchmarkTarget], out: Console) throws {
        let peak = profile ? MachinePeak.measure(threads: targets[0].engine.threads) : nil
        var traced: [(name: String, profile: ProfileResult)] = []
        let runs = max(10, min(iterations, 200))
        for target in targets {
            let profiler = try Profiler(engine: target.engine, feeds: target.feeds)
            let result = try profiler.run(warmup: min(warmup, 5), iterations: runs, traceRuns: trace == nil ? 0 : min(runs, 5))
            if profile {
                out.write("\n[\(target.label), -O\(target.engine.optimization.rawValue)] "
                          + result.report(peak: peak, unprofiledP50: target.statistics.p50) + "\n")
            }
            traced.append(("\(target.label) -O\(target.engine.optimization.rawValue)", result))
        }
        if let trace {
            try ChromeTrace.write(traced, to: URL(fileURLWithPath: trace))
            out.write("trace: \(trace) (\(traced.map { $0.profile.tracedRuns.count }.reduce(0, +)) runs; open in https://ui.perfetto.dev)\n")
        }
    }

    private func runSweep(_ sweep: (name: String, values: [Int]), targets: [BenchmarkTarget], source: Model?,
                          given: [String: Tensor], dims: [String: Int], options: BenchmarkOptions, core: String) throws {
        var rows: [[String: Any]] = []
        var text: [String] = []
        let compared = targets.count > 1
        var header = "\(sweep.name.padding(toLength: max(8, sweep.name.count + 1), withPad: " ", startingAt: 0))"
            + "   p50 ms    p99 ms    runs/s   items/s  GFLOP/s"
        if compared { header += "  unfused p50  speedup" }
        text.append(header)
        for value in sweep.values {
            var bound = dims
            bound[sweep.name] = value
            let feeds = try makeFeeds(engine: targets[0].engine, given: given, dims: bound)
            let runTargets = targets.map { BenchmarkTarget(label: $0.label, engine: $0.engine, loadSeconds: $0.loadSeconds) }
            try measure(runTargets, feeds: feeds, source: source, options: options, progressPrefix: "\(sweep.name)=\(value) ")
            let report = BenchmarkReport(model: model, threads: targets[0].engine.threads, blasCore: core, targets: runTargets)
            var row: [String: Any] = ["value": value]
            for t in runTargets { row[t.label] = BenchmarkReport.jsonFields(t) }
            if let s = report.speedupP50 { row["speedup_p50"] = s }
            rows.append(row)
            let s = runTargets[0].statistics
            var line = "\(value)".padding(toLength: max(8, sweep.name.count + 1), withPad: " ", startingAt: 0)
                + String(format: " %8.3f  %8.3f  %8.1f  %8.1f  ", s.p50 * 1e3, s.p99 * 1e3, s.throughputPerSecond,
                         s.throughputPerSecond * Double(value))
                + (runTargets[0].gflops.map { String(format: "%7.2f", $0) } ?? "      -")
            if compared, let speedup = report.speedupP50 {
                line += String(format: "  %11.3f  %6.2fx", runTargets[1].statistics.p50 * 1e3, speedup)
            }
            text.append(line)
        }
        if json {
            let object: [String: Any] = ["model": model, "threads": targets[0].engine.threads, "blas_core": core, "cpu": BLASRuntime.cpuModel,
                                         "sweep_dim": sweep.name, "sweep": rows]
            print(try BenchmarkReport.jsonText(object))
        } else {
            print("model: \(model)")
            print("\(BLASRuntime.summary(threads: targets[0].engine.threads)); -O\(targets[0].engine.optimization.rawValue)")
            print("sweep over \(sweep.name) (\(options.duration.map { "\($0) s" } ?? "\(options.iterations) runs") per value; items/s = \(sweep.name) x runs/s):")
            print(text.joined(separator: "\n"))
        }
    }
}

/// stdout / stderr writes, and the progress line (stderr, only when it is a terminal).
struct Console {
    let isStandardError: Bool
    static let standardOutput = Console(isStandardError: false)
    static let standardError = Console(isStandardError: true)

    func write(_ text: String) {
        if isStandardError { FileHandle.standardError.write(Data(text.utf8)) } else { print(text, terminator: "") }
    }

    final class ProgressLine {
        let prefix: String
        private var last: UInt64 = 0
        init(prefix: String) { self.prefix = prefix }
        func update(_ label: String, _ done: Int, _ planned: Int?) {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now - last > 200_000_000 else { return }
            last = now
            let line = "\r\u{1B}[K\(prefix)\(label): \(done)\(planned.map { "/\($0)" } ?? "") runs"
            FileHandle.standardError.write(Data(line.utf8))
        }
        func finish() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// A progress line when stderr is a terminal, else nil (nothing is printed).
    static func progressLine(prefix: String) -> ProgressLine? {
        isatty(STDERR_FILENO) != 0 ? ProgressLine(prefix: prefix) : nil
    }
}
