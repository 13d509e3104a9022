import Foundation
import InferIR
import InferRuntime
import InferServeProtocol

/// A loaded model as the server sees it: its engine, its declared inputs and outputs, whether
/// it batches, and the scheduler its requests queue on.
final class ServedModel: Sendable {
    let name: String
    let version: String
    let engine: Engine
    /// Required inputs first, then the optional ones (inputs with defaults).
    let inputs: [ValueInfo]
    let outputs: [ValueInfo]
    /// The symbol every input's and output's first dim is, when there is one: requests are
    /// then concatenated along it. Nil when the model has no batch dim.
    let batchSymbol: String?
    let settings: BatchSettings
    let scheduler: BatchScheduler

    let metrics: ModelMetrics
    /// Answers identical requests without a run; nil when off or when the model draws random numbers.
    let cache: ResponseCache?

    init(source: ModelSource, engine: Engine, settings requested: BatchSettings, metrics: ServerMetrics, cacheEntries: Int) {
        name = source.name
        version = source.version
        self.engine = engine
        inputs = engine.inputs + engine.optionalInputs
        outputs = engine.outputs
        batchSymbol = Self.sharedLeadingSymbol(inputs: engine.inputs, outputs: engine.outputs)
        // A model without a batch dim runs one request per run, however the flags ask.
        var settings = requested
        if batchSymbol == nil || !engine.optionalInputs.isEmpty { settings.maxBatch = 1 }
        self.settings = settings
        self.metrics = metrics.model(name: source.name, version: source.version)
        let deterministic = !engine.model.graph.nodes.contains(where: \.isNondeterministic)
        cache = cacheEntries > 0 && deterministic ? ResponseCache(capacity: cacheEntries) : nil
        scheduler = BatchScheduler(engine: engine, settings: settings, metrics: self.metrics, label: "\(source.name):\(source.version)")
    }

    /// Whether requests to this model are concatenated into one run.
    var batches: Bool { settings.maxBatch > 1 }

    static func sharedLeadingSymbol(inputs: [ValueInfo], outputs: [ValueInfo]) -> String? {
        var symbol: String?
        for info in inputs + outputs {
            guard let first = info.type.shape?.first, case .symbol(let s) = first else { return nil }
            if symbol == nil { symbol = s } else if symbol != s { return nil }
        }
        return symbol
    }

    /// Checks a request's tensors before it is queued, with the engine's own input checks
    /// (unknown or missing names, dtypes, ranks, fixed dims, symbols), so a refused request
    /// reads exactly as `swiftc-infer run` would report it.
    func validate(_ tensors: [String: Tensor]) throws(ServeError) {
        do {
            try engine.checkInputs(tensors)
        } catch {
            throw ServeError(.badRequest, "model '\(name)': \(error.message)")
        }
    }

    /// The request's batch size: its first dim, when the model batches.
    func batchSize(of tensors: [String: Tensor]) -> Int {
        guard batchSymbol != nil, let any = tensors.values.first, any.rank > 0 else { return 1 }
        return any.shape[0]
    }
}

/// How a model's requests are scheduled (`--max-batch`, `--batch-window-us`, `--max-queue`,
/// `--instances`, `--request-timeout-ms`), after a repository's `config.pbtxt` is applied.
package struct BatchSettings: Equatable, Sendable {
    /// The most rows one run concatenates; 1 runs each request alone.
    package var maxBatch: Int = 8
    /// How long the first queued request waits for others to join its batch.
    package var batchWindowMicroseconds: Int = 500
    /// Requests waiting beyond this many are refused at once (429).
    package var maxQueue: Int = 64
    /// Runs of this model at once.
    package var instances: Int = 1
    /// A request that waited longer than this is answered 504 and not run (nil: no limit).
    package var requestTimeoutMicroseconds: Int?

    /// The command line's settings with a repository config's fields in their place.
    func applying(_ config: TritonModelConfig) -> BatchSettings {
        var settings = self
        if let maxBatch = config.maxBatchSize { settings.maxBatch = max(maxBatch, 1) }
        // Triton batches only with a dynamic_batching block; without one, a config that sets
        // max_batch_size still runs each request alone.
        if config.maxBatchSize != nil, !config.dynamicBatching { settings.maxBatch = 1 }
        if let window = config.batchWindowMicroseconds { settings.batchWindowMicroseconds = window }
        if let count = config.instanceCount { settings.instances = count }
        return settings
    }
}
