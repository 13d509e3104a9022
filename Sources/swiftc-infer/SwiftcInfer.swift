import ArgumentParser
import InferRuntime

@main
struct SwiftcInfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftc-infer",
        abstract: "A graph compiler and CPU inference engine for ONNX models.",
        discussion: """
        Examples:
          swiftc-infer inspect Graphs/mlp.onnxtxt
          swiftc-infer run Graphs/mlp.onnxtxt --input x=x.npy --output-dir out/
          swiftc-infer check Graphs/models/mlp
        """,
        version: "0.1.0",
        subcommands: []
    )
}
