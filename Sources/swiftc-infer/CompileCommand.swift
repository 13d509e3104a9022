import ArgumentParser
import Foundation
import InferRuntime

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "(not implemented yet)"
    )

    func run() throws {
        throw CLIError("compile is not implemented yet")
    }
}
