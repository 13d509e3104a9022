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
    public func run(_ inputs: [String: Tensor]) async throws(InferError) -> [String: Tensor] {
        let result: Result<[String: Tensor], InferError> = await withCheckedContinuation { continuation in
            workQueue.async {
                continuation.resume(returning: Result { () throws(InferError) in try self.run(inputs) })
            }
        }
        return try result.get()
    }
}
