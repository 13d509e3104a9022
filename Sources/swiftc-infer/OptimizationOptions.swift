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

extension Precision: ExpressibleByArgument {}

struct OptimizationOptions: ParsableArguments {
    @Flag(exclusivity: .exclusive, help: "Optimization level.")
    var optimization: OptimizationFlag = .O2

    @Option(help: ArgumentHelp("fp32 (default), or bf16: GEMMs with constant weights multiply bfloat16 (weights stored so, activations rounded at the GEMM) and sum in fp32, on AMX or AVX512-BF16 where the CPU has them. Needs -O1 or -O2; a plan keeps the precision it was compiled with.", valueName: "fp32|bf16"))
    var precision: Precision = .fp32

    var level: OptimizationLevel { optimization.level }

    func validate() throws {
        if precision != .fp32 && optimization == .O0 {
            throw ValidationError("--precision \(precision.rawValue) needs -O1 or -O2 (-O0 runs the graph as imported)")
        }
    }

    /// Engine options for these flags and `threads`.
    func engineOptions(threads: Int?) -> Engine.Options {
        Engine.Options(threads: threads, optimization: level, precision: precision)
    }
}
