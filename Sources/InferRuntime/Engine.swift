import Foundation
@_exported import InferIR

/// A loaded, optimized, ready-to-run model. Immutable and `Sendable`: call `run` from any
/// number of threads or tasks at once; each concurrent call gets its own arena from a pool.
///
/// ```swift
/// let engine = try Engine(contentsOf: URL(fileURLWithPath: "model.onnx"))
/// let outputs = try engine.run(["input": Tensor(shape: [1, 4], scalars: [Float](repeating: 0.5, count: 4))])
/// let y = try outputs["output"]!.scalars(as: Float.self)
/// ```
///
/// Models with symbolic dims (batch, sequence length) run any concrete binding: the first run
/// with new input shapes compiles a static plan for them (cached, least recently used evicted).
public final class Engine: Sendable {
    /// The model as it runs (after optimization, dims still symbolic).
    public let model: Model
    /// What the optimizer did (nil at `-O0`).
    public let compilation: CompilationReport?
    public let optimization: OptimizationLevel
    public let threads: Int
    /// The plan file's header when the engine was loaded from a compiled plan.
    public let planHeader: PlanHeader?
    private let dynamic: GraphExecutor
    private let plans: PlanCache

    /// Loads a compiled plan (recognized by its magic, whatever the extension: mapped, never
    /// re-optimized; `optimization` is then the plan's own level), or a `.onnx` (protobuf) /
    /// `.onnxtxt` (ONNX text) model, which is optimized at `optimization` on load.
    ///
    /// ```swift
    /// let engine = try Engine(contentsOf: URL(fileURLWithPath: "model.plan"))
    /// ```
    public convenience init(contentsOf url: URL, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        if PlanReader.isPlan(url) {
            let plan = try PlanReader.load(url)
            try self.init(optimized: plan.model, level: plan.optimization, report: nil, threads: threads, planHeader: plan.header)
        } else {
            try self.init(model: ModelLoader.load(url), threads: threads, optimization: optimization)
        }
    }

    /// Optimizes `model` at `optimization` and prepares it to run.
    public convenience init(model: Model, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        // Before optimizing: constant folding may already run GEMMs.
        BLASRuntime.ensureConfigured(threads: threads)
        if optimization == .none {
            try self.init(optimized: model, level: .none, report: nil, threads: threads, planHeader: nil)
        } else {
            let (optimized, report) = try Compiler.optimize(model, level: optimization)
            try self.init(optimized: optimized, level: optimization, report: report, threads: threads, planHeader: nil)
        }
    }

    /// An engine over a model already optimized at `level` (a loaded plan): no pass runs here.
    package init(optimized model: Model, level: OptimizationLevel, report: CompilationReport?, threads: Int?, planHeader: PlanHeader?) throws {
        BLASRuntime.ensureConfigured(threads: threads)
        self.threads = threads ?? BLASRuntime.threadCount
        self.optimization = level
        self.model = model
        self.planHeader = planHeader
        compilation = report
        dynamic = try GraphExecutor(model: self.model, threads: self.threads)
        plans = PlanCache(threads: self.threads)
    }

    /// The graph inputs a caller must feed (initializer-backed inputs excluded), with types.
    public var inputs: [ValueInfo] { dynamic.requiredInputs }
    public var outputs: [ValueInfo] { model.graph.outputs }

    /// Runs the model. Inputs are checked by name, dtype and shape first.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try InputValidation.validate(inputs, against: model.graph)
        if optimization == .none { return try dynamic.run(inputs) }
        let key = model.graph.inputs.map { inputs[$0.name]?.shape ?? [-1] }
        let entry = try plans.entry(for: key) { try buildPlan(for: inputs) }
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
        if optimization != .none && shapesChanged { bound = try Compiler.optimize(bound, level: .canonicalize).0 }
        do {
            return try StaticPlan(model: bound)
        } catch let error as InferError where error.kind == .invalidShape && error.message.contains("no static shape") {
            return nil
        }
    }

    /// How many static plans are cached (bounded).
    package var planCount: Int { plans.count }

    /// Arena bytes of the plan for the given input shapes (compiling it if needed).
    package func plan(for inputs: [String: Tensor]) throws -> StaticPlan? {
        let key = model.graph.inputs.map { inputs[$0.name]?.shape ?? [-1] }
        return try plans.entry(for: key) { try buildPlan(for: inputs) }.plan
    }
}
