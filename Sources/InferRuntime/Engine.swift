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
    private let source: Model
    private let dynamic: GraphExecutor
    private let plans: PlanCache

    /// Loads `.onnx` (protobuf) or `.onnxtxt` (ONNX text), optimizes it and prepares it to run.
    public convenience init(contentsOf url: URL, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        try self.init(model: ModelLoader.load(url), threads: threads, optimization: optimization)
    }

    public init(model: Model, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        BLASRuntime.ensureConfigured(threads: threads)
        self.threads = threads ?? BLASRuntime.threadCount
        self.optimization = optimization
        source = model
        if optimization == .none {
            self.model = model
            compilation = nil
        } else {
            (self.model, compilation) = try Compiler.optimize(model, level: optimization)
        }
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
        bound.graph.valueInfo = [:]
        // Now that every dim is known, shape subgraphs fold to constants.
        if optimization != .none { bound = try Compiler.optimize(bound, level: .canonicalize).0 }
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
