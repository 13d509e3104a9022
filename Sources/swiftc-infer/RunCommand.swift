import ArgumentParser
import Foundation
import InferIR
import InferRuntime

struct RunCommand: LimitedCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model on input tensors and write every output as NAME.npy.",
        discussion: """
        Each input is NAME=FILE, FILE a .npy array or an ONNX TensorProto (.pb). Missing inputs are
        reported with every expected input's name, dtype and shape.

        A compiled plan runs at the level it was compiled with (-O flags are ignored for plans).

        Examples:
          swiftc-infer run Graphs/mlp.onnxtxt --input x=x.npy --output-dir out/
          swiftc-infer run mlp.plan --input x=x.npy --output-dir out/
        """
    )

    @OptionGroup var limits: LimitOptions

    @Argument(help: "The model (.onnx or .onnxtxt, optimized on load) or a compiled plan (from `compile`).")
    var model: String

    @Option(name: .long, help: ArgumentHelp("An input tensor as NAME=FILE (repeatable).", valueName: "NAME=FILE"))
    var input: [String] = []

    @Option(name: .long, help: "Directory for the outputs (created if missing).")
    var outputDir: String

    @Option(name: .long, help: "Threads for BLAS and kernels (default: all cores).")
    var threads: Int?

    @OptionGroup var optimization: OptimizationOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        var feeds: [String: Tensor] = [:]
        for assignment in input {
            let (name, path) = try TensorFiles.splitAssignment(assignment)
            guard feeds[name] == nil else { throw ValidationError("input '\(name)' is given twice") }
            feeds[name] = try TensorFiles.read(path)
        }
        let engine = try Engine(contentsOf: URL(fileURLWithPath: model), options: optimization.engineOptions(threads: threads))
        let outputs = try engine.run(feeds)
        let dir = URL(fileURLWithPath: outputDir)
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create output directory \(outputDir): \(error.localizedDescription)")
        }
        for info in engine.outputs {
            guard let tensor = outputs[info.name] else { continue }
            let file = dir.appendingPathComponent(TensorFiles.outputFileName(for: info.name))
            try NPYFormat.write(tensor, to: file)
            print("\(info.name): \(tensor.dtype)\(tensor.shape) -> \(file.path)")
        }
    }
}
