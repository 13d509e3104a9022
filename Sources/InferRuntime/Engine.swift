import Foundation
@_exported import InferIR

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
    /// The model as it runs (after optimization, dims still symbolic).
    public let model: Model
    /// What the optimizer did (nil at `-O0`).
    public let compilation: CompilationReport?
    public let options: Options
    public var optimization: OptimizationLevel { options.optimization }
    /// Threads each run uses.
    public let threads: Int
    /// The plan file's header when the engine was loaded from a compiled plan.
    public let planHeader: PlanHeader?
    private let dynamic: GraphExecutor
    private let plans: PlanCache
    /// Where `run(_:) async` does its work, off the cooperative pool.
    let workQueue = DispatchQueue(label: "swiftc-infer.engine", qos: .userInitiated, attributes: .concurrent)

    /// Loads a compiled plan (recognized by its magic, whatever the extension: mapped, never
    /// re-optimized; the optimization level is then the plan's own), or a `.onnx` (protobuf) /
    /// `.onnxtxt` (ONNX text) model, which is optimized as `options` say on load.
    ///
    /// ```swift
    /// let engine = try Engine(contentsOf: URL(fileURLWithPath: "model.plan"), options: .init(threads: 2))
    /// ```
    public convenience init(contentsOf url: URL, options: Options) throws {
        if PlanReader.isPlan(url) {
            let plan = try PlanReader.load(url)
            var planOptions = options
            planOptions.optimization = plan.optimization
            try self.init(optimized: plan.model, report: nil, options: planOptions, planHeader: plan.header)
        } else {
            try self.init(model: ModelLoader.load(url), options: options)
        }
    }

    /// Loads a plan or a model (see `init(contentsOf:options:)`).
    public convenience init(contentsOf url: URL, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        try self.init(contentsOf: url, options: Options(threads: threads, optimization: optimization))
    }

    public convenience init(model: Model, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        try self.init(model: model, options: Options(threads: threads, optimization: optimization))
    }

    /// Optimizes `model` as `options` say and prepares it to run.
    public convenience init(model: Model, options: Options) throws {
        // Before optimizing: constant folding may already run GEMMs.
        BLASRuntime.ensureConfigured(threads: options.threads)
        if options.optimization == .none {
            try self.init(optimized: model, report: nil, options: options, planHeader: nil)
        } else {
            let (optimized, report) = try Compiler.optimize(model, level: options.optimization)
            try self.init(optimized: optimized, report: report, options: options, planHeader: nil)
        }
    }

    /// An engine over a model already optimized at `options.optimization` (a loaded plan, or
    /// the convenience inits above): no pass runs here.
    package init(optimized model: Model, report: CompilationReport?, options: Options, planHeader: PlanHeader?) throws {
        BLASRuntime.ensureConfigured(threads: options.threads)
        self.options = options
        threads = max(1, options.threads ?? BLASRuntime.threadCount)
        self.model = model
        self.planHeader = planHeader
        compilation = report
        dynamic = try GraphExecutor(model: model, threads: threads)
        plans = PlanCache(capacity: options.planCacheCapacity, maxIdleSessions: options.maxIdleSessions, threads: threads)
    }

    /// The graph inputs a caller must feed (initializer-backed inputs excluded): name, dtype
    /// and shape, whose dims are `.value(n)` or `.symbol("N")` (any size, equal wherever the
    /// same symbol appears).
    public var inputs: [ValueInfo] { dynamic.requiredInputs }
    /// The graph outputs `run` returns, by name, with dtype and (possibly symbolic) shape.
    public var outputs: [ValueInfo] { model.graph.outputs }

    /// Runs the model. Inputs are checked by name, dtype and shape first. Safe to call from
    /// any number of threads at once.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try InputValidation.validate(inputs, against: model.graph)
        if options.optimization == .none { return try dynamic.run(inputs) }
        let entry = try plans.entry(for: inputs, of: model.graph) { try buildPlan(for: inputs) }
        guard let session = try entry.checkout() else { return try dynamic.run(inputs) }
        defer { entry.checkin(session) }
        return try session.run(inputs)
    }

    /// The static plan for these input shapes, or nil when some shape is data-dependent.
    func buildPlan(for inputs: [String: Tensor]) throws -> StaticPlan? {
        var bound = model
        bound.graph.inputs = model.graph.inputs.map { info in
            guard let t = inputs[info.name] else { return info }
            return ValueInfo(name: info.name, type: ValueType(dtype: t.dtype, dims: t.shape))
        }
        let shapesChanged = zip(bound.graph.inputs, model.graph.inputs).contains { $0.type != $1.type }
        bound.graph.valueInfo = [:]
        // Now that every dim is known, shape subgraphs fold to constants (nothing new to fold
        // when the model was static already: it left the optimizer at a fixed point).
        if options.optimization != .none && shapesChanged { bound = try Compiler.optimize(bound, level: .canonicalize).0 }
        do {
            return try StaticPlan(model: bound)
        } catch let error as InferError where error.kind == .invalidShape && error.message.contains("no static shape") {
            return nil
        }
    }

    /// How many static plans are cached (bounded by `options.planCacheCapacity`).
    package var planCount: Int { plans.count }
    /// Idle sessions currently pooled over all cached plans.
    package var idleSessionCount: Int { plans.idleSessionCount }

    /// The plan for the given input shapes (compiling it if needed).
    package func plan(for inputs: [String: Tensor]) throws -> StaticPlan? {
        try plans.entry(for: inputs, of: model.graph) { try buildPlan(for: inputs) }.plan
    }

    /// The cache entry (plan + session pool) for these inputs; for tests that drive sessions.
    package func planEntry(for inputs: [String: Tensor]) throws -> PlanCache.Entry {
        try plans.entry(for: inputs, of: model.graph) { try buildPlan(for: inputs) }
    }
}
