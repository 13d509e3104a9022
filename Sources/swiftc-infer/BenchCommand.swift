import ArgumentParser
import Foundation
import InferRuntime

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "(not implemented yet)"
    )

    func run() throws {
        throw CLIError("bench is not implemented yet")
    }
}
