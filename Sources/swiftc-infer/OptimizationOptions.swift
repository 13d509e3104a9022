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

/// `--quantize`'s values: how a model's weights are quantized when it is compiled.
enum QuantizeMode: String, ExpressibleByArgument, CaseIterable {
    /// Dynamic: weights int8 per output column in the plan, activations quantized per run.
    case int8
}

struct OptimizationOptions: ParsableArguments {
    @Flag(exclusivity: .exclusive, help: "Optimization level.")
    var optimization: OptimizationFlag = .O2

    @Option(name: .customLong("precision"), help: ArgumentHelp("fp32 (default), or bf16: GEMMs with constant weights multiply bfloat16 (weights stored so, activations rounded at the GEMM) and sum in fp32, on AMX or AVX512-BF16 where the CPU has them. Needs -O1 or -O2; a plan keeps the precision it was compiled with.", valueName: "fp32|bf16"))
    var precisionOption: Precision = .fp32

    @Option(name: .customLong("quantize"), help: ArgumentHelp("int8: dynamic quantization of GEMMs with constant weights (MatMul, Gemm and their fusions): weights int8 per output column (symmetric) stored in the plan at a quarter of their fp32 bytes, activations quantized to uint8 per row on each run, exact int32 sums, on AVX512-VNNI where the CPU has it. Convolutions and GEMMs of two activations stay fp32. Needs -O1 or -O2.", valueName: "int8"))
    var quantize: QuantizeMode?

    var level: OptimizationLevel { optimization.level }

    /// The precision the flags ask for: `--quantize int8` or `--precision`.
    var precision: Precision { quantize == .int8 ? .int8 : precisionOption }

    func validate() throws {
        if precisionOption == .int8 {
            throw ValidationError("--precision takes fp32 or bf16; int8 is --quantize int8")
        }
        if quantize != nil && precisionOption != .fp32 {
            throw ValidationError("--quantize \(quantize!.rawValue) and --precision \(precisionOption.rawValue) both set the GEMMs' precision: give one")
        }
        if precision != .fp32 && optimization == .O0 {
            let flag = quantize.map { "--quantize \($0.rawValue)" } ?? "--precision \(precision.rawValue)"
            throw ValidationError("\(flag) needs -O1 or -O2 (-O0 runs the graph as imported)")
        }
    }

    /// Engine options for these flags and `threads`.
    func engineOptions(threads: Int?) -> Engine.Options {
        Engine.Options(threads: threads, optimization: level, precision: precision)
    }
}
