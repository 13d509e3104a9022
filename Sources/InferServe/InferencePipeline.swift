import InferRuntime
import InferServeProtocol

extension InferenceServer {
    /// The one path every inference request takes, HTTP or gRPC: it is counted, its model
    /// looked up, its body decoded (while batches being formed wait for it), its tensors and
    /// requested outputs checked, and it is answered from the cache or run on the model's
    /// scheduler. The front end only decodes its wire format and encodes `answer`'s.
    func infer<Answer>(model name: String, version: String?,
                       decode: () async throws -> InferenceRequest,
                       answer: (ServedModel, InferenceRequest, [String: Tensor]) throws -> Answer) async throws -> Answer {
        requestsReceived.add(1, ordering: .relaxed)
        defer { requestsAnswered.add(1, ordering: .relaxed) }
        let model = try self.model(named: name, version: version)
        let start = ContinuousClock.now
        do {
            let result = try await infer(on: model, decode: decode, answer: answer)
            model.metrics.requestSuccess.increment()
            model.metrics.requestLatency.recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
            return result
        } catch {
            model.metrics.requestFailure.increment()
            throw error
        }
    }

    private func infer<Answer>(on model: ServedModel, decode: () async throws -> InferenceRequest,
                               answer: (ServedModel, InferenceRequest, [String: Tensor]) throws -> Answer) async throws -> Answer {
        // Batches being formed wait for this request while its body is read and checked.
        model.scheduler.requestArriving()
        var queued = false
        defer { if !queued { model.scheduler.requestWithdrawn() } }
        let request = try await decode()
        try model.validate(request.tensors)
        for output in request.outputs ?? [] where !model.outputs.contains(where: { $0.name == output.name }) {
            throw ServeError(.badRequest, "unknown output '\(output.name)' requested; model '\(model.name)' has \(model.outputs.map(\.name).joined(separator: ", "))")
        }
        let timeout = request.timeoutMicroseconds ?? model.settings.requestTimeoutMicroseconds
        let cacheKey = model.cache.map { _ in ResponseCache.Key(model: model.name, version: model.version, tensors: request.tensors) }
        let outputs: [String: Tensor]
        if let cache = model.cache, let cacheKey, let cached = cache.outputs(for: cacheKey) {
            model.metrics.cacheHits.increment()
            outputs = cached
        } else {
            if model.cache != nil { model.metrics.cacheMisses.increment() }
            queued = true
            outputs = try await model.scheduler.submit(request.tensors, rows: model.batchSize(of: request.tensors),
                                                       timeoutMicroseconds: timeout, announced: true)
            if let cacheKey { model.cache?.store(outputs, for: cacheKey) }
        }
        let result = try answer(model, request, outputs)
        logger.debug("infer \(model.name) id=\(request.id ?? "-") ok")
        return result
    }
}
