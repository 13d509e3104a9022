import ArgumentParser
import Foundation
import InferRuntime

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a model: inputs, outputs, op histogram, parameters, FLOPs, BLAS setup.",
        discussion: """
        Symbolic dims are bound to 1 for the FLOP estimate unless given with --dim.

        Example:
          swiftc-infer inspect Graphs/models/encoder/model.onnx --dim N=8
        """
    )

    @Argument(help: "The model: .onnx or .onnxtxt.")
    var model: String

    @Option(name: .long, help: ArgumentHelp("Bind a symbolic dim for the estimate (repeatable).", valueName: "NAME=SIZE"))
    var dim: [String] = []

    func run() throws {
        let loaded = try ModelInspection(contentsOf: URL(fileURLWithPath: model), dims: try parseDims(dim))
        print(loaded.report())
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
