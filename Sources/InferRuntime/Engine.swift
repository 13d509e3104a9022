import Foundation
import InferIR

/// A loaded, optimized, ready-to-run model. Immutable and `Sendable`: call `run` from any
/// number of threads or tasks at once; each concurrent call gets its own arena (a session)
/// from a bounded pool.
///
/// ```swift
/// let engine = try Engine(contentsOf: URL(fileURLWithPath: "model.onnx"))
/// let outputs = try engine.run(["input": Tensor(shape: [1, 4], scalars: [Float](repeating: 0.5, count: 4))])
/// let y = try outputs["output"]!.scalars(as: Float.self)
/// ```
///
/// Models with symbolic dims (batch, sequence length) run any concrete binding: the first run
/// with new input shapes compiles a static plan for them, cached up to
/// `Options.planCacheCapacity` plans (least recently used evicted). Steady-state runs of a
/// cached plan allocate nothing on the heap but the returned tensors.
///
/// Inputs are checked before anything runs; a wrong feed throws `InferError` with kind
/// `.unknownInput`, `.missingInput`, `.dtypeMismatch` or `.invalidShape` and a one-line message.
public final class Engine: Sendable {
    /// The model as it runs (after optimization, dims still symbolic). When some inputs have
    /// defaults (initializers of the same name), this is the form with every default folded.
    package var model: Model { primary.model }
    /// What the optimizer did (nil at `-O0` and for a loaded plan).
    package var compilation: CompilationReport? { primary.report }
    /// The options the engine was made with.
    public let options: Options
    /// The level the model was optimized at (`options.optimization`).
    public var optimization: OptimizationLevel { options.optimization }
    /// Threads each run uses.
    public let threads: Int
    /// The plan file's header when the engine was loaded from a compiled plan.
    package let planHeader: PlanHeader?
    /// The inputs callers feed, as the source model declares them (some may have defaults).
    let signature: InputSignature
    private let primary: CompiledModel
    /// Programs for callers that feed defaulted inputs the primary folded (nil when it folded none).
    package let fedDefaults: FedDefaultsCache?
    /// Where `run(_:) async` does its work, off the cooperative pool.
    let workQueue = DispatchQueue(label: "swiftc-infer.engine", qos: .userInitiated, attributes: .concurrent)

    /// Loads a compiled plan (recognized by its magic, whatever the extension: mapped, never
    /// re-optimized; the optimization level is then the plan's own), or a `.onnx` (protobuf) /
    /// `.onnxtxt` (ONNX text) model, which is optimized as `options` say on load.
    ///
    /// ```swift
    /// let engine = try Engine(contentsOf: URL(fileURLWithPath: "model.plan"), options: .init(threads: 2))
    /// ```
    public convenience init(contentsOf url: URL, options: Options) throws(InferError) {
        let loaded = try InferError.classifying { try options.limits.bound {
            if PlanReader.isPlan(url) {
                let plan = try PlanReader.load(url)
                try ModelValidation.validate(plan.model)
                var planOptions = options
                planOptions.optimization = plan.optimization
                return Loaded(model: plan.model, report: nil, source: plan.source, options: planOptions, planHeader: plan.header)
            }
            return try Loaded(compiling: ModelLoader.load(url), options: options)
        } }
        try self.init(optimized: loaded.model, report: loaded.report, source: loaded.source, options: loaded.options,
                      planHeader: loaded.planHeader)
    }

    /// Loads a plan or a model (see `init(contentsOf:options:)`).
    public convenience init(contentsOf url: URL, threads: Int? = nil, optimization: OptimizationLevel = .full) throws(InferError) {
        try self.init(contentsOf: url, options: Options(threads: threads, optimization: optimization))
    }

    package convenience init(model: Model, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        try self.init(model: model, options: Options(threads: threads, optimization: optimization))
    }

    /// Optimizes `model` as `options` say and prepares it to run. Inputs with defaults are
    /// compiled as constants; feeding one later compiles (once) a program with it live.
    package convenience init(model: Model, options: Options) throws {
        let loaded = try options.limits.bound { try Loaded(compiling: model, options: options) }
        try self.init(optimized: loaded.model, report: loaded.report, source: loaded.source, options: options, planHeader: nil)
    }

    /// What the convenience inits hand to the designated one (an initializer cannot delegate
    /// from inside the closure that binds the limits).
    private struct Loaded {
        let model: Model
        let report: CompilationReport?
        let source: Model?
        let options: Options
        let planHeader: PlanHeader?

        init(model: Model, report: CompilationReport?, source: Model?, options: Options, planHeader: PlanHeader?) {
            (self.model, self.report, self.source, self.options, self.planHeader) = (model, report, source, options, planHeader)
        }

        /// Validates `model` (at every level, so a bad model gets the same error at each) and optimizes it.
        init(compiling model: Model, options: Options) throws {
            // Before optimizing: constant folding may already run GEMMs.
            BLASRuntime.ensureConfigured()
            try ModelValidation.validate(model)
            if options.optimization == .none {
                // A program honours defaults itself: a fed value replaces the initializer.
                self.init(model: model, report: nil, source: nil, options: options, planHeader: nil)
            } else {
                let (optimized, report) = try Compiler.optimize(model, level: options.optimization, precision: options.precision)
                self.init(model: optimized, report: report, source: report.foldedInputDefaults.isEmpty ? nil : model,
                          options: options, planHeader: nil)
            }
        }
    }

    /// An engine over a model already optimized at `options.optimization` (a loaded plan, or
    /// the convenience inits above): no pass runs here. `source` is the model as imported when
    /// the optimizer folded inputs' defaults (so a caller feeding one gets it compiled live).
    package init(optimized model: Model, report: CompilationReport?, source: Model?, options: Options,
                 planHeader: PlanHeader?) throws(InferError) {
        BLASRuntime.ensureConfigured()
        self.options = options
        let threads = max(1, options.threads ?? BLASRuntime.threadCount)
        self.threads = threads
        self.planHeader = planHeader
        primary = try InferError.classifying {
            try options.limits.bound { try CompiledModel(model: model, report: report, options: options, threads: threads) }
        }
        signature = InputSignature((source ?? model).graph)
        fedDefaults = source.map { FedDefaultsCache(source: $0, options: options, threads: threads) }
    }

    /// The graph inputs a caller must feed: name, dtype and shape, whose dims are `.value(n)`
    /// or `.symbol("N")` (any size, equal wherever the same symbol appears).
    public var inputs: [ValueInfo] { signature.required }
    /// Inputs with a default (an initializer of the same name, as IR-version-3 models and
    /// `keep_initializers_as_inputs` exports write): leave them out to use the default, or
    /// feed them to replace it.
    public var optionalInputs: [ValueInfo] { signature.optional }
    /// The graph outputs `run` returns, by name, with dtype and (possibly symbolic) shape.
    public var outputs: [ValueInfo] { model.graph.outputs }

    /// Runs the model. Inputs are checked by name, dtype and shape first. Safe to call from
    /// any number of threads at once.
    public func run(_ inputs: [String: Tensor]) throws(InferError) -> [String: Tensor] {
        try InferError.classifying { try options.limits.bound {
            try options.limits.withDeadline {
                try InputValidation.validate(inputs, against: signature)
                return try compiled(for: inputs).run(inputs)
            }
        } }
    }

    /// The checks `run` makes on its inputs (names, dtypes, ranks, fixed dims, each symbol the
    /// same size everywhere), without running: for a caller that must refuse bad inputs
    /// before queueing them (the server).
    package func checkInputs(_ inputs: [String: Tensor]) throws(InferError) {
        try InferError.classifying { try InputValidation.validate(inputs, against: signature) }
    }

    /// The program for these feeds: the primary one unless they feed a default it folded.
    func compiled(for inputs: [String: Tensor]) throws -> CompiledModel {
        guard let fedDefaults else { return primary }
        let fed = fedDefaults.fedNames(inputs)
        return fed.isEmpty ? primary : try fedDefaults.compiled(feeding: fed)
    }

    /// How many static plans are cached (each program's cache is bounded by `options.planCacheCapacity`).
    package var planCount: Int { ([primary] + (fedDefaults?.all ?? [])).reduce(0) { $0 + $1.plans.count } }
    /// Idle sessions currently pooled over all cached plans.
    package var idleSessionCount: Int { ([primary] + (fedDefaults?.all ?? [])).reduce(0) { $0 + $1.plans.idleSessionCount } }

    /// The planned program for the given inputs (compiling it if needed).
    package func plan(for inputs: [String: Tensor]) throws -> Program {
        try planEntry(for: inputs).plan
    }

    /// The cache entry (plan + session pool) for these inputs; for tests that drive sessions.
    package func planEntry(for inputs: [String: Tensor]) throws -> PlanCache.Entry {
        try compiled(for: inputs).planEntry(for: inputs)
    }
}
