import ArgumentParser
import InferIR
import InferRuntime

/// `--max-tensor-bytes`, `--max-arena-bytes`, `--max-nodes`, `--max-nesting`,
/// `--max-loop-iterations`, `--timeout`: the engine's `ResourceLimits`, shared by every
/// subcommand that loads a model. `Main` binds them around the whole command.
struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Largest tensor, in bytes (K/M/G/T suffixes: 8G). Default 4G.", valueName: "BYTES"),
            transform: LimitOptions.parseBytes)
    var maxTensorBytes: Int?

    @Option(name: .long, help: ArgumentHelp("Largest arena of intermediates, in bytes (K/M/G/T suffixes). Default 8G.", valueName: "BYTES"),
            transform: LimitOptions.parseBytes)
    var maxArenaBytes: Int?

    @Option(name: .long, help: "Most nodes in a model, subgraphs included. Default 1000000.")
    var maxNodes: Int?

    @Option(name: .long, help: "Deepest subgraph nesting (at most \(ResourceLimits.nestingCeiling)). Default 64.")
    var maxNesting: Int?

    @Option(name: .long, help: "Most iterations of one Loop or Scan. Default 16777216 (2^24).")
    var maxLoopIterations: Int?

    @Option(name: .long, help: ArgumentHelp("Seconds one run may take. Default: no limit.", valueName: "SECONDS"))
    var timeout: Double?

    func validate() throws {
        for (flag, value) in [("--max-tensor-bytes", maxTensorBytes), ("--max-arena-bytes", maxArenaBytes), ("--max-nodes", maxNodes),
                              ("--max-nesting", maxNesting), ("--max-loop-iterations", maxLoopIterations)] {
            if let value, value < 0 { throw ValidationError("\(flag) must not be negative") }
        }
        if let maxNesting, maxNesting > ResourceLimits.nestingCeiling {
            throw ValidationError("--max-nesting must be at most \(ResourceLimits.nestingCeiling)")
        }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    var resourceLimits: ResourceLimits {
        var limits = ResourceLimits.defaults
        if let maxTensorBytes { limits.maxTensorBytes = maxTensorBytes }
        if let maxArenaBytes { limits.maxArenaBytes = maxArenaBytes }
        if let maxNodes { limits.maxNodes = maxNodes }
        if let maxNesting { limits.maxNesting = maxNesting }
        if let maxLoopIterations { limits.maxLoopIterations = maxLoopIterations }
        if let timeout { limits.timeout = timeout }
        return limits
    }

    /// `4096`, `512K`, `8M`, `4G`, `1T` (binary multiples).
    static func parseBytes(_ text: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(text.uppercased())
        var scale = 1
        if digits.hasSuffix("B") { digits = digits.dropLast() }
        if let last = digits.last, let unit = units[last] { scale = unit; digits = digits.dropLast() }
        guard let n = Int(digits), n >= 0, case (let bytes, false) = n.multipliedReportingOverflow(by: scale) else {
            throw ValidationError("'\(text)' is not a byte count (e.g. 4096, 512M, 8G)")
        }
        return bytes
    }
}

/// A subcommand that takes the limit flags.
protocol LimitedCommand: ParsableCommand {
    var limits: LimitOptions { get }
}
