import Foundation
@_exported import InferIR

/// A loaded, ready-to-run model. Immutable and shareable across threads.
///
/// ```swift
/// let engine = try Engine(contentsOf: URL(fileURLWithPath: "model.onnx"))
/// let outputs = try engine.run(["input": Tensor(shape: [1, 4], scalars: [Float](repeating: 0.5, count: 4))])
/// let y = try outputs["output"]!.scalars(as: Float.self)
/// ```
public final class Engine: Sendable {
    /// The model as it runs (after optimization).
    public let model: Model
    /// What the optimizer did (nil at `-O0`).
    public let compilation: CompilationReport?
    private let executor: GraphExecutor

    /// Loads `.onnx` (protobuf) or `.onnxtxt` (ONNX text), optimizes it and prepares it to run.
    public convenience init(contentsOf url: URL, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        try self.init(model: ModelLoader.load(url), threads: threads, optimization: optimization)
    }

    public init(model: Model, threads: Int? = nil, optimization: OptimizationLevel = .full) throws {
        BLASRuntime.ensureConfigured(threads: threads)
        if optimization == .none {
            self.model = model
            compilation = nil
        } else {
            (self.model, compilation) = try Compiler.optimize(model, level: optimization)
        }
        executor = try GraphExecutor(model: self.model, threads: threads ?? BLASRuntime.threadCount)
    }

    /// The graph inputs a caller must feed (initializer-backed inputs excluded), with types.
    public var inputs: [ValueInfo] { executor.requiredInputs }
    public var outputs: [ValueInfo] { model.graph.outputs }

    /// Runs the model. Inputs are checked by name, dtype and shape first.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try executor.run(inputs)
    }
}
