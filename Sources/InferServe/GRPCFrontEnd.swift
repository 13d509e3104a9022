import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import InferRuntime
import InferServeProtocol
import ServiceLifecycle

/// The KServe v2 `inference.GRPCInferenceService`: the same models, checks, scheduler and
/// cache as the HTTP routes (through `InferenceServer.infer`), with inputs from
/// `raw_input_contents` or typed contents and outputs always in `raw_output_contents`.
/// A refused request is an `RPCError` whose code matches the HTTP status.
struct GRPCFrontEnd: Inference_GRPCInferenceService.SimpleServiceProtocol {
    let server: InferenceServer

    func serverLive(request: Inference_ServerLiveRequest, context: ServerContext) async throws -> Inference_ServerLiveResponse {
        .with { $0.live = true }
    }

    func serverReady(request: Inference_ServerReadyRequest, context: ServerContext) async throws -> Inference_ServerReadyResponse {
        .with { $0.ready = true }
    }

    /// An unknown model or version is not ready (as HTTP's 404 reads to a client), not an error.
    func modelReady(request: Inference_ModelReadyRequest, context: ServerContext) async throws -> Inference_ModelReadyResponse {
        .with { $0.ready = (try? server.model(named: request.name, version: request.version)) != nil }
    }

    func serverMetadata(request: Inference_ServerMetadataRequest, context: ServerContext) async throws -> Inference_ServerMetadataResponse {
        .with {
            $0.name = "swiftc-infer"
            $0.version = InferenceServer.version
            $0.extensions = InferenceServer.extensions
        }
    }

    func modelMetadata(request: Inference_ModelMetadataRequest, context: ServerContext) async throws -> Inference_ModelMetadataResponse {
        let model = try rpc { () throws(ServeError) in try server.model(named: request.name, version: request.version) }
        func tensors(_ infos: [ValueInfo]) -> [Inference_ModelMetadataResponse.TensorMetadata] {
            infos.map { info in
                .with {
                    $0.name = info.name
                    $0.datatype = TensorDatatype.name(of: info.type.dtype)
                    $0.shape = model.metadataShape(of: info)
                }
            }
        }
        return .with {
            $0.name = model.name
            $0.versions = [model.version]
            $0.platform = "swiftc-infer"
            $0.inputs = tensors(model.inputs)
            $0.outputs = tensors(model.outputs)
        }
    }

    /// The call's deadline (its `grpc-timeout`) bounds its wait in the queue as
    /// `parameters["timeout"]` does: a call whose client has given up is answered
    /// DEADLINE_EXCEEDED and not run.
    func modelInfer(request: ServerRequest<Inference_ModelInferRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ModelInferResponse> {
        let clientTimeout = request.metadata[stringValues: "grpc-timeout"].first(where: { _ in true }).flatMap(Self.microseconds(ofTimeout:))
        return ServerResponse(message: try await modelInfer(request.message, clientTimeoutMicroseconds: clientTimeout))
    }

    func modelInfer(request: Inference_ModelInferRequest, context: ServerContext) async throws -> Inference_ModelInferResponse {
        try await modelInfer(request, clientTimeoutMicroseconds: nil)
    }

    private func modelInfer(_ message: Inference_ModelInferRequest, clientTimeoutMicroseconds: Int?) async throws -> Inference_ModelInferResponse {
        do {
            return try await server.infer(
                model: message.modelName, version: message.modelVersion,
                decode: { () throws(ServeError) in try Self.decode(message, clientTimeoutMicroseconds: clientTimeoutMicroseconds) },
                answer: Self.response)
        } catch let error as ServeError {
            throw error.rpcError
        }
    }

    /// The request, with the sooner of its `parameters["timeout"]` and the call's deadline.
    static func decode(_ message: Inference_ModelInferRequest, clientTimeoutMicroseconds: Int?) throws(ServeError) -> InferenceRequest {
        var request = try InferenceRequest(message)
        if let clientTimeoutMicroseconds {
            request.timeoutMicroseconds = min(request.timeoutMicroseconds ?? .max, clientTimeoutMicroseconds)
        }
        return request
    }

    /// A `grpc-timeout` value (up to 8 digits and a unit: H, M, S, m, u, n) in microseconds,
    /// at least 1; nil when malformed (the call then has no deadline of ours).
    static func microseconds(ofTimeout value: String) -> Int? {
        guard let unit = value.last, value.count >= 2, value.count <= 9, let amount = Int(value.dropLast()), amount >= 0 else { return nil }
        let micros: Int
        switch unit {
        case "H": micros = amount * 3_600_000_000
        case "M": micros = amount * 60_000_000
        case "S": micros = amount * 1_000_000
        case "m": micros = amount * 1000
        case "u": micros = amount
        case "n": micros = amount / 1000
        default: return nil
        }
        return max(micros, 1)
    }

    private static func response(model: ServedModel, request: InferenceRequest, outputs: [String: Tensor]) throws -> Inference_ModelInferResponse {
        var response = Inference_ModelInferResponse()
        response.modelName = model.name
        response.modelVersion = model.version
        if let id = request.id { response.id = id }
        for name in request.outputs?.map(\.name) ?? model.outputs.map(\.name) {
            guard let tensor = outputs[name] else { throw ServeError(.internalError, "the engine returned no output '\(name)'") }
            response.outputs.append(.with {
                $0.name = name
                $0.datatype = TensorDatatype.name(of: tensor.dtype)
                $0.shape = tensor.shape.map(Int64.init)
            })
            response.rawOutputContents.append(Data(tensor.bytes))
        }
        return response
    }

    private func rpc<T>(_ body: () throws(ServeError) -> T) throws(RPCError) -> T {
        do { return try body() } catch { throw error.rpcError }
    }
}

extension ServeError {
    /// The gRPC status each kind of error is answered with (the HTTP status's counterpart).
    var rpcError: RPCError {
        let code: RPCError.Code = switch kind {
        case .usage, .badRequest: .invalidArgument
        case .invalidModel, .internalError: .internalError
        case .notFound: .notFound
        case .payloadTooLarge: .resourceExhausted
        case .queueFull, .shuttingDown: .unavailable
        case .deadlineExceeded: .deadlineExceeded
        }
        return RPCError(code: code, message: message)
    }
}

/// The gRPC server as one of the server's services: it listens until the service group's
/// graceful shutdown (SIGTERM/SIGINT), then lets the calls in flight finish.
struct GRPCService: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let listening: @Sendable (Int) -> Void
    /// Calls one HTTP/2 connection may carry at once.
    static let maxConcurrentStreams = 4096

    init(frontEnd: GRPCFrontEnd, host: String, port: Int, maxRequestBytes: Int, listening: @escaping @Sendable (Int) -> Void) {
        let address: GRPCNIOTransportCore.SocketAddress = host.contains(":")
            ? .ipv6(host: host, port: port)
            : .ipv4(host: host == "localhost" ? "127.0.0.1" : host, port: port)
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.rpc.maxRequestPayloadSize = maxRequestBytes
        // Left unset, NIO's HTTP/2 advertises 100 concurrent streams, and a client that opens more
        // on one connection before it reads that setting (grpc-core with 256 calls in flight on
        // one channel) had the whole connection reset with GOAWAY PROTOCOL_ERROR, over and over.
        // Back-pressure belongs to the model queues (--max-queue), not to the transport.
        config.http2.maxConcurrentStreams = Self.maxConcurrentStreams
        server = GRPCServer(transport: .http2NIOPosix(address: address, transportSecurity: .plaintext, config: config),
                            services: [frontEnd])
        self.listening = listening
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                if let address = try await server.listeningAddress {
                    listening(address.ipv4?.port ?? address.ipv6?.port ?? -1)
                }
            }
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
