import CoreMetrics
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`), recorded through swift-metrics into a
/// registry of this server's own (not the process-wide bootstrap, so several servers in one
/// process, as in tests, keep separate counts). Triton's counters keep Triton's names, so
/// dashboards built for Triton read them unchanged.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        let latencyBuckets: [Duration] = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000]
            .map { .microseconds($0) }
        factory.defaultDurationHistogramBuckets = latencyBuckets
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256]
        self.factory = factory
    }

    func model(name: String, version: String) -> ModelMetrics { ModelMetrics(name: name, version: version, factory: factory) }

    /// The Prometheus text exposition of every metric.
    func text() -> String { registry.emitToString() }
}

/// One model's metrics, labelled `model` and `version` as Triton labels them.
struct ModelMetrics: Sendable {
    /// Triton: requests answered, and requests that failed (validation, queue full, deadline, engine).
    let requestSuccess: CoreMetrics.Counter
    let requestFailure: CoreMetrics.Counter
    /// Triton: inferences (rows of the batch dim), runs, and cumulative queue and compute microseconds per request.
    let inferenceCount: CoreMetrics.Counter
    let executionCount: CoreMetrics.Counter
    let queueMicroseconds: CoreMetrics.Counter
    let computeMicroseconds: CoreMetrics.Counter
    /// Ours: histograms of request latency, queue time and rows per run; the queue's depth.
    let requestLatency: CoreMetrics.Timer
    let queueTime: CoreMetrics.Timer
    let batchRows: CoreMetrics.Recorder
    let queueDepth: CoreMetrics.Gauge
    /// Ours: requests refused because the queue was full, and requests whose deadline passed in the queue.
    let refusedQueueFull: CoreMetrics.Counter
    let expiredInQueue: CoreMetrics.Counter
    /// Triton: requests answered from the response cache, and those looked up and missed.
    let cacheHits: CoreMetrics.Counter
    let cacheMisses: CoreMetrics.Counter

    init(name: String, version: String, factory: any MetricsFactory) {
        let labels = [("model", name), ("version", version)]
        requestSuccess = Counter(label: "nv_inference_request_success", dimensions: labels, factory: factory)
        requestFailure = Counter(label: "nv_inference_request_failure", dimensions: labels, factory: factory)
        inferenceCount = Counter(label: "nv_inference_count", dimensions: labels, factory: factory)
        executionCount = Counter(label: "nv_inference_exec_count", dimensions: labels, factory: factory)
        queueMicroseconds = Counter(label: "nv_inference_queue_duration_us", dimensions: labels, factory: factory)
        computeMicroseconds = Counter(label: "nv_inference_compute_infer_duration_us", dimensions: labels, factory: factory)
        requestLatency = Timer(label: "swiftc_infer_request_duration_seconds", dimensions: labels, factory: factory)
        queueTime = Timer(label: "swiftc_infer_queue_duration_seconds", dimensions: labels, factory: factory)
        batchRows = CoreMetrics.Recorder(label: "swiftc_infer_batch_rows", dimensions: labels, aggregate: true, factory: factory)
        queueDepth = CoreMetrics.Gauge(label: "swiftc_infer_queue_depth", dimensions: labels, factory: factory)
        refusedQueueFull = Counter(label: "swiftc_infer_rejected_requests", dimensions: labels + [("reason", "queue_full")], factory: factory)
        expiredInQueue = Counter(label: "swiftc_infer_rejected_requests", dimensions: labels + [("reason", "deadline")], factory: factory)
        cacheHits = Counter(label: "nv_cache_num_hits_per_model", dimensions: labels, factory: factory)
        cacheMisses = Counter(label: "nv_cache_num_misses_per_model", dimensions: labels, factory: factory)
    }
}
