import Dispatch

extension Engine {
    /// Runs the model off Swift's cooperative thread pool, on the engine's own dispatch queue,
    /// so a long inference does not hold a cooperative thread that other tasks need.
    /// Same checks, results and errors as the synchronous `run(_:)`.
    ///
    /// ```swift
    /// let outputs = try await engine.run(["input": x])
    /// let y = try outputs["output"]!.scalars(as: Float.self)
    /// ```
    public func run(_ inputs: [String: Tensor]) async throws -> [String: Tensor] {
        try await withCheckedThrowingContinuation { continuation in
            workQueue.async {
                continuation.resume(with: Result { try self.run(inputs) })
            }
        }
    }
}
