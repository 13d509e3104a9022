import Foundation
import HTTPTypes
import Hummingbird
import InferRuntime
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
                json(try server.model(context).metadataJSON())
            }
            router.get(RouterPath(prefix + "/ready")) { _, context in
                _ = try server.model(context)
                return Response(status: .ok)
            }
            router.post(RouterPath(prefix + "/infer")) { request, context in
                server.requestsReceived.add(1, ordering: .relaxed)
                defer { server.requestsAnswered.add(1, ordering: .relaxed) }
                let model = try server.model(context)
                let start = ContinuousClock.now
                do {
                    let response = try await infer(request, model: model, server: server)
                    model.metrics.requestSuccess.increment()
                    model.metrics.requestLatency.recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
                    return response
                } catch {
                    model.metrics.requestFailure.increment()
                    throw error
                }
            }
        }
        return router
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func infer(_ request: Request, model: ServedModel, server: InferenceServer) async throws -> Response {
        // Batches being formed wait for this request while its body is read and checked.
        model.scheduler.requestArriving()
        var queued = false
        defer { if !queued { model.scheduler.requestWithdrawn() } }
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
        let decoded = try InferenceRequest.decode(Array(buffer.readableBytesView), headerLength: headerLength)
        try model.validate(decoded.tensors)
        for output in decoded.outputs ?? [] where !model.outputs.contains(where: { $0.name == output.name }) {
            throw ServeError(.badRequest, "unknown output '\(output.name)' requested; model '\(model.name)' has \(model.outputs.map(\.name).joined(separator: ", "))")
        }
        let timeout = decoded.timeoutMicroseconds ?? model.settings.requestTimeoutMicroseconds
        let cacheKey = model.cache.map { _ in ResponseCache.Key(model: model.name, version: model.version, tensors: decoded.tensors) }
        let outputs: [String: Tensor]
        if let cache = model.cache, let cacheKey, let cached = cache.outputs(for: cacheKey) {
            model.metrics.cacheHits.increment()
            outputs = cached
        } else {
            if model.cache != nil { model.metrics.cacheMisses.increment() }
            queued = true
            outputs = try await model.scheduler.submit(decoded.tensors, rows: model.batchSize(of: decoded.tensors),
                                                       timeoutMicroseconds: timeout, announced: true)
            if let cacheKey { model.cache?.store(outputs, for: cacheKey) }
        }
        let response = try InferenceResponse(model: model, request: decoded, outputs: outputs)
        server.logger.debug("infer \(model.name) id=\(decoded.id ?? "-") ok")
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
