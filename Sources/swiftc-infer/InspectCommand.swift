import ArgumentParser
import Foundation
import InferIR
import InferRuntime

struct InspectCommand: LimitedCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a model: inputs, outputs, op histogram, parameters, FLOPs, BLAS setup.",
        discussion: """
        Symbolic dims are bound to 1 for the FLOP estimate unless given with --dim. On a compiled
        plan it also shows the plan header (format, compiler version, sizes) and stored program.
        --timing loads the engine (Engine(contentsOf:)) and runs it twice on zero inputs, timing
        each step in-process: compare a plan with its source model.

        Examples:
          swiftc-infer inspect Graphs/models/encoder/model.onnx --dim N=8
          swiftc-infer inspect encoder.plan --timing
        """
    )

    @OptionGroup var limits: LimitOptions

    @Argument(help: "The model (.onnx or .onnxtxt) or a compiled plan.")
    var model: String

    @Option(name: .long, help: ArgumentHelp("Bind a symbolic dim for the estimate (repeatable).", valueName: "NAME=SIZE"))
    var dim: [String] = []

    @Flag(help: "Time loading the engine and its first and second run (zero inputs, dims bound as for FLOPs).")
    var timing = false

    @Option(name: .long, help: "Threads for --timing runs (default: all cores).")
    var threads: Int?

    @Flag(help: "List every node with the inferred types of its outputs (dims bound as for FLOPs).")
    var types = false

    func run() throws {
        // Timing first, so nothing else in this process has touched the file or built kernels.
        let timingLine = timing ? try measureTiming() : nil
        let loaded = try ModelInspection(contentsOf: URL(fileURLWithPath: model), dims: try parseDims(dim))
        print(loaded.report())
        if types { print(loaded.typeListing()) }
        if let timingLine { print(timingLine) }
    }

    private func measureTiming() throws -> String {
        func ms(_ from: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - from) / 1e6 }
        var t = DispatchTime.now().uptimeNanoseconds
        let engine = try Engine(contentsOf: URL(fileURLWithPath: model), threads: threads)
        let load = ms(t)
        let feeds = try BoundInputs.zeros(for: engine, dims: try parseDims(dim)).inputs
        t = DispatchTime.now().uptimeNanoseconds
        _ = try engine.run(feeds)
        let first = ms(t)
        t = DispatchTime.now().uptimeNanoseconds
        _ = try engine.run(feeds)
        let second = ms(t)
        let what = engine.planHeader == nil ? "compiled from source at -O\(engine.optimization.rawValue)" : "plan, -O\(engine.optimization.rawValue)"
        return String(format: "timing: load %.2f ms, first run %.2f ms, second run %.2f ms, load + first run %.2f ms", load, first, second, load + first) + " (\(what))"
    }
}

/// `NAME=SIZE` pairs for symbolic dims.
func parseDims(_ items: [String]) throws -> [String: Int] {
    var dims: [String: Int] = [:]
    for item in items {
        let (name, value) = try TensorFiles.splitAssignment(item)
        guard let v = Int(value), v >= 0 else { throw ValidationError("--dim \(item): size must be a non-negative integer") }
        dims[name] = v
    }
    return dims
}
