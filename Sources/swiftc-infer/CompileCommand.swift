import ArgumentParser
import Foundation
import InferIR
import InferRuntime

struct CompileCommand: LimitedCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Optimize a model and write it as a compiled plan file (and/or as an ONNX file).",
        discussion: """
        The plan holds the optimized graph, the lowered program with its memory plan (for the
        model's static shapes, or the --dim binding), and the weights 64-byte aligned; `run`,
        `check --model`, `inspect` and `bench` load it with mmap, without re-optimizing.

        --report prints per pass its time and the node count after it, the fusions applied by
        kind and the memory plan: arena bytes, the sum of all intermediates without planning and
        the lower bound (largest set of simultaneously live bytes). Symbolic dims are bound with
        --dim (default 1) for the memory plan.

        --print-ir prints the optimized graph as ONNX text with tensors of more than 64
        elements shown as `{...}` after their type; --print-ir-full prints every value (that
        text parses back to the same model). --emit-onnx writes the optimized graph with its
        weights as an ONNX protobuf file (for Netron, onnx.checker, or another engine): fused
        ops are in the `swiftinfer` domain (docs/swiftinfer-ops.md), so at -O1 the file holds
        standard ops only and loads in ONNX Runtime.

        Examples:
          swiftc-infer compile Graphs/models/encoder/model.onnx -o encoder.plan --report
          swiftc-infer compile model.onnx -o model.plan -O1 --print-ir
          swiftc-infer compile model.onnx -o model.plan --json --dim N=8
          swiftc-infer compile model.onnx -o model.plan --explain
          swiftc-infer compile model.onnx --emit-onnx optimized.onnx
        """
    )

    @OptionGroup var limits: LimitOptions

    @Argument(help: "The model: .onnx or .onnxtxt.")
    var model: String

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Where to write the plan.", valueName: "PLAN"))
    var output: String?

    @Option(name: .customLong("emit-onnx"), help: ArgumentHelp("Also (or instead) write the optimized graph with its weights as an ONNX file.", valueName: "FILE"))
    var emitONNX: String?

    @OptionGroup var optimization: OptimizationOptions

    @Flag(name: .customLong("print-ir"), help: "Print the optimized graph as ONNX text, tensors over 64 elements as {...}.")
    var printIR = false

    @Flag(name: .customLong("print-ir-full"), help: "Print the optimized graph as ONNX text with every value (parses back).")
    var printIRFull = false

    @Flag(help: "Print per-pass times and node counts, fusions by kind, and the memory plan.")
    var report = false

    @Flag(help: "Print the report as one JSON object (nothing else on stdout).")
    var json = false

    @Flag(help: "Print one line per fusion candidate node (Softmax, MatMul, Conv, ReduceMean, Erf, ...): the fusion applied, or why not.")
    var explain = false

    @Option(name: .long, help: ArgumentHelp("Bind a symbolic dim for the memory plan (repeatable, default 1).", valueName: "NAME=SIZE"))
    var dim: [String] = []

    @Option(name: .long, help: "Threads for BLAS and kernels used while compiling (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if output == nil && emitONNX == nil { throw ValidationError("nothing to write: give -o PLAN, --emit-onnx FILE, or both") }
    }

    /// The optimized graph as ONNX text, as --print-ir / --print-ir-full ask (nil: not asked).
    private func irText(_ model: Model) -> String? {
        if printIRFull { return ONNXTextPrinter.print(model) }
        return printIR ? ONNXTextPrinter.print(model, elidingTensorsOver: 64) : nil
    }

    func run() throws {
        let dims = try parseDims(dim)
        let start = DispatchTime.now().uptimeNanoseconds
        let source = try ModelLoader.load(URL(fileURLWithPath: model))
        let engine = try Engine(model: source, options: optimization.engineOptions(threads: threads))

        // The memory plan for the static shapes (or the --dim binding), stored in the plan too.
        var memory: PlanProgramSummary?
        var memoryProblem: String?
        var bindings: [String: Int] = [:]
        do {
            let bound = try BoundInputs.zeros(for: engine, dims: dims)
            bindings = bound.bindings
            memory = PlanProgramSummary(plan: try engine.plan(for: bound.inputs), bindings: bindings)
        } catch let error as InferError {
            memoryProblem = error.message
        } catch let error as CLIError {
            memoryProblem = error.message
        }
        var planBytes: Int?
        if let output {
            // The source file and precision go in the plan, so bench and check can compare a
            // reduced-precision plan with the model it came from.
            let provenance = try PlanProvenance(file: URL(fileURLWithPath: model), precision: optimization.precision.rawValue)
            planBytes = try PlanWriter.write(engine, program: try memory?.encoded() ?? Data(), provenance: provenance,
                                             to: URL(fileURLWithPath: output))
        }
        if let emitONNX { try ModelWriter.writeONNX(engine.model, to: URL(fileURLWithPath: emitONNX)) }
        // Load, optimize, plan memory and write: everything `compile` does.
        let compileMS = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6

        if !json, let ir = irText(engine.model) { print(ir) }
        let summary = CompileSummary(engine: engine, sourceNodes: source.graph.nodes.count, memory: memory,
                              memoryProblem: memoryProblem, bindings: bindings, planBytes: planBytes, compileMS: compileMS)
        if json {
            var object = summary.jsonObject()
            object["model"] = model
            if let output { object["plan"] = output }
            if let emitONNX { object["onnx"] = emitONNX }
            if let ir = irText(engine.model) { object["ir"] = ir }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let written = [output.map { "\($0): \(planBytes ?? 0) bytes" }, emitONNX.map { "\($0) (ONNX)" }].compactMap { $0 }
        print("wrote \(written.joined(separator: ", ")), -O\(engine.optimization.rawValue), nodes \(summary.nodesBefore) -> \(summary.nodesAfter), compiled in \(String(format: "%.1f", compileMS)) ms")
        if report { print(summary.reportText(), terminator: "") }
        if explain { print(summary.explainText(), terminator: "") }
    }
}
