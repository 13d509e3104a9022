import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import InferRuntime
@testable import InferServe

/// An in-process server on a free loopback port, and a real HTTP client (URLSession) to it.
final class ServerHarness: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mlp = root.appendingPathComponent("Graphs/models/mlp/model.onnx").path

    let server: InferenceServer
    let port: Int
    private let task: Task<Void, any Error>

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    init(models: [String] = [ServerHarness.mlp], repository: String? = nil, options: ServeOptions = ServeOptions()) async throws {
        var options = options
        options.httpPort = 0
        server = try InferenceServer(arguments: models, repository: repository, options: options,
                                     engineOptions: Engine.Options(threads: 1), report: { _ in })
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = self.server
        task = Task { try await server.run { port in continuation.yield(port) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ServeError(.internalError, "server did not start") }
        self.port = port
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
