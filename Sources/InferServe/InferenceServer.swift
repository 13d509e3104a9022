import Foundation
import Hummingbird
import Synchronization
import InferRuntime
import InferServeProtocol
import Logging
import ServiceLifecycle

/// The server's command-line settings.
package struct ServeOptions: Sendable {
    package var host = "127.0.0.1"
    /// 0 asks the system for a free port (the startup line says which).
    package var httpPort = 8000
    /// The gRPC port (0: a free one); nil serves HTTP only.
    package var grpcPort: Int? = nil
    /// Settings for every model; a repository's `config.pbtxt` overrides them per model.
    package var batching = BatchSettings()
    /// Request bodies over this many bytes are refused with 413.
    package var maxRequestBytes = 64 << 20
    /// One log line per request at debug level.
    package var verbose = false
    /// Entries of each model's response cache (0: no cache).
    package var cacheEntries = 0

    package init() {}
}

/// The KServe v2 / Triton-compatible inference server: the models it serves and their
/// schedulers, behind the HTTP routes of `HTTPFrontEnd` and the gRPC service of
/// `GRPCFrontEnd`. Models load before the server
/// listens, so once it listens every model is ready.
package final class InferenceServer: Sendable {
    package let options: ServeOptions
    let models: [String: ServedModel]
    /// Models in the order they were given (for startup lines and metadata).
    let modelOrder: [String]
    let logger: Logger
    let metrics = ServerMetrics()
    /// Inference requests whose handling began, and those answered (with outputs or an error):
    /// equal once the server has stopped, unless a request was dropped.
    package let requestsReceived = Atomic<Int>(0)
    package let requestsAnswered = Atomic<Int>(0)

    /// Loads every model named by `arguments` (`PATH` or `NAME=PATH`) and in `repository`
    /// (Triton's layout). `report` receives one line per model saying how it is served.
    package init(arguments: [String], repository: String?, options: ServeOptions, engineOptions: Engine.Options,
                 report: (String) -> Void) throws(ServeError) {
        self.options = options
        var logger = Logger(label: "swiftc-infer.serve")
        logger.logLevel = options.verbose ? .debug : .info
        self.logger = logger
        var sources = try arguments.map { argument throws(ServeError) in try ModelSource.parse(argument) }
        if let repository { sources += try ModelSource.repository(URL(fileURLWithPath: repository)) }
        guard !sources.isEmpty else { throw ServeError(.usage, "give at least one model (PATH or NAME=PATH) or --model-repository DIR") }
        var names = Set<String>()
        for source in sources where !names.insert(source.name).inserted {
            throw ServeError(.usage, "two models are named '\(source.name)'; name one with NAME=PATH")
        }
        var models: [String: ServedModel] = [:]
        var order: [String] = []
        for source in sources {
            let engine: Engine
            do {
                engine = try Engine(contentsOf: source.file, options: engineOptions)
            } catch {
                throw ServeError(.invalidModel, "model '\(source.name)' (\(source.file.path)): \(error.message)")
            }
            let model = ServedModel(source: source, engine: engine, settings: options.batching.applying(source.config), metrics: metrics, cacheEntries: options.cacheEntries)
            models[source.name] = model
            order.append(source.name)
            report(model.summary(source: source))
        }
        self.models = models
        modelOrder = order
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting connections, lets requests in
    /// flight finish, and returns. `listening` gets each protocol ("http", "grpc") and its
    /// bound port once that server is up.
    package func run(listening: @escaping @Sendable (_ scheme: String, _ port: Int) -> Void) async throws {
        let application = Application(
            router: HTTPFrontEnd.router(for: self),
            configuration: .init(address: .hostname(options.host, port: options.httpPort), serverName: "swiftc-infer"),
            onServerRunning: { channel in listening("http", channel.localAddress?.port ?? -1) },
            logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application)]
        if let grpcPort = options.grpcPort {
            services.append(.init(service: GRPCService(frontEnd: GRPCFrontEnd(server: self), host: options.host, port: grpcPort,
                                                       maxRequestBytes: options.maxRequestBytes) { listening("grpc", $0) }))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The model `name` names, at `version` when one is given (the protocol's empty version is none).
    func model(named name: String, version: String?) throws(ServeError) -> ServedModel {
        guard let model = models[name] else {
            throw ServeError(.notFound, "unknown model '\(name)'; serving \(modelOrder.joined(separator: ", "))")
        }
        if let version, !version.isEmpty, version != model.version {
            throw ServeError(.notFound, "model '\(name)' has no version '\(version)'; serving version \(model.version)")
        }
        return model
    }

    func metadataJSON() -> String {
        "{\"name\":\"swiftc-infer\",\"version\":\"\(Self.version)\",\"extensions\":[\(Self.extensions.map(JSONText.string).joined(separator: ","))]}"
    }

    static let version = "0.1.0"
    /// The protocol extensions the server speaks (server metadata lists them).
    static let extensions = ["binary_tensor_data"]
}

extension ServedModel {
    /// A tensor's shape as model metadata gives it: symbolic and unknown dims are -1.
    func metadataShape(of info: ValueInfo) -> [Int64] {
        (info.type.shape ?? [.unknown]).map { $0.intValue.map(Int64.init) ?? -1 }
    }

    /// KServe v2 model metadata, as the HTTP route answers it.
    func metadataJSON() -> String {
        func tensors(_ infos: [ValueInfo]) -> String {
            infos.map { info in
                let shape = metadataShape(of: info).map(String.init).joined(separator: ",")
                return "{\"name\":\(JSONText.string(info.name)),\"datatype\":\"\(TensorDatatype.name(of: info.type.dtype))\",\"shape\":[\(shape)]}"
            }.joined(separator: ",")
        }
        return "{\"name\":\(JSONText.string(name)),\"versions\":[\(JSONText.string(version))],\"platform\":\"swiftc-infer\","
            + "\"inputs\":[\(tensors(inputs))],\"outputs\":[\(tensors(outputs))]}"
    }

    /// The startup line: where the model came from and how its requests are scheduled.
    func summary(source: ModelSource) -> String {
        var line = "model '\(name)' version \(version) from \(source.file.path): "
        if batches {
            line += "batches up to \(settings.maxBatch) rows along '\(batchSymbol ?? "?")' within \(settings.batchWindowMicroseconds) us"
        } else {
            line += batchSymbol == nil ? "no batch dim, one request per run" : "batching off, one request per run"
        }
        line += "; \(settings.instances) instance\(settings.instances == 1 ? "" : "s"), queue of \(settings.maxQueue)"
        if let cache { line += "; response cache of \(cache.capacity)" }
        if !source.config.ignoredFields.isEmpty {
            line += "; config.pbtxt fields not applied: \(source.config.ignoredFields.joined(separator: ", "))"
        }
        return line
    }
}
