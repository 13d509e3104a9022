/// Why the server refused something: at startup (a bad model or flag) or per request, where
/// the kind picks the HTTP status or gRPC code, and the message becomes the error text
/// (HTTP's `{"error": "..."}`, gRPC's status message).
package struct ServeError: Error, CustomStringConvertible, Sendable {
    package enum Kind: Sendable {
        /// A command-line or repository mistake (exit status 2).
        case usage
        /// A model that cannot be served (exit status 1).
        case invalidModel
        /// A malformed or invalid request: 400.
        case badRequest
        /// An unknown model, version or route: 404.
        case notFound
        /// A request body over the limit: 413.
        case payloadTooLarge
        /// The model's queue is full: 429 (the client should back off and retry).
        case queueFull
        /// The request waited longer than its deadline and was not run: 504.
        case deadlineExceeded
        /// The server is shutting down: 503.
        case shuttingDown
        /// The engine failed on a request that passed validation: 500.
        case internalError
    }

    package let kind: Kind
    package let message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}
