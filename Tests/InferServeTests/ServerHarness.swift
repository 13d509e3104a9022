import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRPCCore
import GRPCNIOTransportHTTP2
@testable import InferRuntime
@testable import InferServe
import InferServeProtocol

/// An in-process server on free loopback ports, and real clients to it: URLSession for HTTP,
/// grpc-swift's generated client for gRPC.
final class ServerHarness: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mlp = root.appendingPathComponent("Graphs/models/mlp/model.onnx").path

    let server: InferenceServer
    let port: Int
    /// The gRPC port, when the harness was started with `grpc: true`.
    let grpcPort: Int?
    private let task: Task<Void, any Error>

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    init(models: [String] = [ServerHarness.mlp], repository: String? = nil, options: ServeOptions = ServeOptions(),
         grpc: Bool = false) async throws {
        var options = options
        options.httpPort = 0
        options.grpcPort = grpc ? 0 : nil
        server = try InferenceServer(arguments: models, repository: repository, options: options,
                                     engineOptions: Engine.Options(threads: 1), report: { _ in })
        let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)
        let server = self.server
        task = Task { try await server.run { scheme, port in continuation.yield((scheme, port)) } }
        var bound: [String: Int] = [:]
        for await (scheme, port) in ports {
            bound[scheme] = port
            if bound["http"] != nil, !grpc || bound["grpc"] != nil { break }
        }
        guard let port = bound["http"] else { throw ServeError(.internalError, "server did not start") }
        self.port = port
        grpcPort = bound["grpc"]
    }

    /// Runs `body` with a gRPC client connected to the server (started with `grpc: true`).
    func grpc<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Inference_GRPCInferenceService.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        guard let grpcPort else { throw ServeError(.internalError, "the harness was started without gRPC") }
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(host: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)
        return try await withGRPCClient(transport: transport, isolation: isolation) { client in
            try await body(Inference_GRPCInferenceService.Client(wrapping: client))
        }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 60
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }

    func post(_ path: String, json: Any) async throws -> Reply {
        try await request("POST", path, body: try JSONSerialization.data(withJSONObject: json), headers: ["Content-Type": "application/json"])
    }
}
