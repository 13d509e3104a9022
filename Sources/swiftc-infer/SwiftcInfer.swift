import ArgumentParser
import Foundation
import InferIR
import InferRuntime

/// Entry point: fix the OpenBLAS core first (this may re-execute the process), then parse and
/// run a subcommand. Exit status: 0 success, 1 model/runtime error (one line on stderr),
/// 2 usage error.
@main
enum Main {
    static func main() {
        BLASRuntime.relaunchWithBestCoreIfNeeded()
        do {
            var command = try SwiftcInfer.parseAsRoot()
            if let limited = command as? any LimitedCommand {
                // Every engine this command makes takes these limits (`Engine.Options.limits`).
                try limited.limits.resourceLimits.bound { try command.run() }
            } else {
                try command.run()
            }
        } catch let error as InferError {
            CLIError.exit(message: error.message, status: 1)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch let error as CLIError {
            CLIError.exit(message: error.message, status: 1)
        } catch {
            let code = SwiftcInfer.exitCode(for: error)
            if code == .success {
                print(SwiftcInfer.fullMessage(for: error))
                Foundation.exit(0)
            }
            if error is ValidationError || code == .validationFailure || !(error is LocalizedError) {
                CLIError.exit(message: SwiftcInfer.fullMessage(for: error), status: 2)
            }
            CLIError.exit(message: "\(error.localizedDescription)", status: 1)
        }
    }
}

struct SwiftcInfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftc-infer",
        abstract: "A graph compiler and CPU inference engine for ONNX models.",
        discussion: """
        Models are ONNX protobuf (.onnx) or ONNX text (.onnxtxt).
        `compile` writes a plan file that run, check --model and inspect load without re-optimizing.

        Examples:
          swiftc-infer compile Graphs/models/mlp/model.onnx -o mlp.plan --report
          swiftc-infer inspect Graphs/mlp.onnxtxt
          swiftc-infer run Graphs/mlp.onnxtxt --input x=x.npy --output-dir out/
          swiftc-infer check Graphs/models/mlp
          swiftc-infer blas
        """,
        version: "0.1.0",
        subcommands: [CompileCommand.self, RunCommand.self, CheckCommand.self, BenchCommand.self, InspectCommand.self, BLASCommand.self, ServeCommand.self]
    )
}

/// A runtime failure the CLI reports as one line with exit status 1.
struct CLIError: Error {
    let message: String
    init(_ message: String) { self.message = message }

    static func exit(message: String, status: Int32) -> Never {
        let text = message.hasPrefix("error:") || status == 2 ? message : "error: \(message)"
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        Foundation.exit(status)
    }
}
