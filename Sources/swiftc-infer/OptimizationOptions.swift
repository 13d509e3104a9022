import ArgumentParser
import InferIR
import InferRuntime

/// `-O0 | -O1 | -O2`, shared by every subcommand that compiles a model.
enum OptimizationFlag: String, EnumerableFlag {
    case O0, O1, O2

    static func name(for value: OptimizationFlag) -> NameSpecification {
        .customLong(value.rawValue, withSingleDash: true)
    }

    static func help(for value: OptimizationFlag) -> ArgumentHelp? {
        switch value {
        case .O0: "No optimization: run the graph as imported."
        case .O1: "Canonicalize: dead code, identities, constant folding, CSE."
        case .O2: "Canonicalize and fuse (default)."
        }
    }

    var level: OptimizationLevel {
        switch self {
        case .O0: .none
        case .O1: .canonicalize
        case .O2: .full
        }
    }
}

struct OptimizationOptions: ParsableArguments {
    @Flag(exclusivity: .exclusive, help: "Optimization level.")
    var optimization: OptimizationFlag = .O2

    var level: OptimizationLevel { optimization.level }
}
