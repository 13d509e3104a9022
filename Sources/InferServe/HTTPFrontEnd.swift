import Foundation
import HTTPTypes
import Hummingbird
import InferRuntime
import InferServeProtocol
import Logging

/// The KServe v2 REST routes (`/v2/health/*`, `/v2`, `/v2/models/NAME[/versions/V][/ready|/infer]`)
/// on a Hummingbird router. Every failure is answered `{"error": "..."}` with its status.
enum HTTPFrontEnd {
    static let headerLengthField = HTTPField.Name("Inference-Header-Content-Length")!

    static func router(for server: InferenceServer) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        router.get("/v2/health/live") { _, _ in Response(status: .ok) }
        router.get("/v2/health/ready") { _, _ in Response(status: .ok) }
        router.get("/v2") { _, _ in json(server.metadataJSON()) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: server.metrics.text())))
        }
        for prefix in ["/v2/models/:model", "/v2/models/:model/versions/:version"] {
            router.get(RouterPath(prefix)) { _, context in
                json(try model(context, server).metadataJSON())
            }
            router.get(RouterPath(prefix + "/ready")) { _, context in
                _ = try model(context, server)
                return Response(status: .ok)
            }
            router.post(RouterPath(prefix + "/infer")) { request, context in
                try await server.infer(model: context.parameters.get("model") ?? "", version: context.parameters.get("version"),
                                       decode: { try await decode(request, server: server) },
                                       answer: response)
            }
        }
        return router
    }

    /// The model a route's `:model` (and `:version`) parameters name.
    private static func model(_ context: BasicRequestContext, _ server: InferenceServer) throws(ServeError) -> ServedModel {
        try server.model(named: context.parameters.get("model") ?? "", version: context.parameters.get("version"))
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The JSON request, or the binary tensor data extension when the header gives the JSON's length.
    private static func decode(_ request: Request, server: InferenceServer) async throws -> InferenceRequest {
        var headerLength: Int?
        if let value = request.headers[headerLengthField] {
            guard let length = Int(value), length >= 0 else {
                throw ServeError(.badRequest, "Inference-Header-Content-Length '\(value)' is not a byte count")
            }
            headerLength = length
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: server.options.maxRequestBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ServeError(.payloadTooLarge, "request body is over the \(server.options.maxRequestBytes)-byte limit (--max-request-bytes)")
        }
        return try InferenceRequest.decode(Array(buffer.readableBytesView), headerLength: headerLength)
    }

    private static func response(model: ServedModel, request: InferenceRequest, outputs: [String: Tensor]) throws -> Response {
        let response = try InferenceResponse(model: model, request: request, outputs: outputs)
        guard response.binaryOutputCount > 0 else { return json(response.json) }
        var body = ByteBuffer(string: response.json)
        body.writeBytes(response.binary)
        return Response(status: .ok,
                        headers: [.contentType: "application/octet-stream", headerLengthField: String(response.json.utf8.count)],
                        body: .init(byteBuffer: body))
    }
}

/// Turns every error a route throws into the protocol's `{"error": "..."}` body.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServeError {
            return HTTPFrontEnd.json(JSONText.error(error.message), status: error.status)
        } catch let error as any HTTPResponseError {
            let message = error.status == .notFound ? "no route \(request.method) \(request.uri.path)" : "\(error.status.reasonPhrase)"
            return HTTPFrontEnd.json(JSONText.error(message), status: error.status)
        } catch {
            return HTTPFrontEnd.json(JSONText.error("internal error: \(error)"), status: .internalServerError)
        }
    }
}

extension ServeError {
    /// The HTTP status each kind of error is answered with.
    var status: HTTPResponse.Status {
        switch kind {
        case .usage, .badRequest: .badRequest
        case .invalidModel, .internalError: .internalServerError
        case .notFound: .notFound
        case .payloadTooLarge: .contentTooLarge
        case .queueFull: .tooManyRequests
        case .deadlineExceeded: .gatewayTimeout
        case .shuttingDown: .serviceUnavailable
        }
    }
}
