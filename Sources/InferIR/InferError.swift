/// The one error type of the engine: a kind a program can switch on, and a one-line message
/// a person can act on. Messages about a node carry its name, op type, domain and opset
/// (see `InferError.at(_:opset:_:_:)`), tract-style: `node "conv1" (Conv, opset 13): ...`.
public struct InferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for a program to switch on:
    ///
    /// ```swift
    /// do { _ = try engine.run(feeds) } catch let e as InferError where e.kind == .invalidShape { print(e) }
    /// ```
    public enum Kind: String, Sendable, Equatable {
        /// A malformed graph: bad attribute, cycle, value used but never defined.
        case invalidModel
        /// ONNX text or protobuf that does not decode.
        case parse
        /// An op, or a version of it, the engine does not implement.
        case unsupportedOperator
        /// A dtype outside the supported set for this op or input.
        case unsupportedDType
        /// A feature of the format the engine does not implement (string pools, sparse tensors, ...).
        case unsupportedFeature
        /// Shapes that do not agree, or absurd sizes.
        case invalidShape
        /// A fed tensor or an op input of the wrong element type.
        case dtypeMismatch
        /// A required graph input was not fed.
        case missingInput
        /// A fed name the model has no input for.
        case unknownInput
        /// Files and paths: missing, unreadable, outside the model's folder.
        case io
        /// A compiled plan file that is truncated, corrupted or from another version.
        case invalidPlan
        /// Misuse of the command line that reaches the library.
        case usage
        /// A size, count, nesting depth, loop or run time over the `ResourceLimits` in force.
        case resourceLimit
        /// A failure inside the engine that it did not classify: a bug. The message says what
        /// failed; please report it with the model.
        case internalError
    }

    /// What went wrong, for a program to switch on.
    public let kind: Kind
    /// The whole one-line message, location included.
    public let message: String
    /// For an error about a node: its name (or, unnamed, its first output), its op type
    /// (`Conv`, `swiftinfer.FusedConv`) and the opset it was read at (nil when unknown).
    public let node: String?
    /// For an error about a node: its op type, domain-qualified outside ONNX's (`swiftinfer.FusedConv`).
    public let opType: String?
    /// For an error about a node: the opset it was read at (nil when unknown).
    public let opset: Int?

    /// An error about no node in particular: `InferError(.io, "cannot read \"m.onnx\"")`.
    public init(_ kind: Kind, _ message: String) {
        self.init(kind, message, node: nil, opType: nil, opset: nil)
    }

    private init(_ kind: Kind, _ message: String, node: String?, opType: String?, opset: Int?) {
        self.kind = kind
        self.message = message
        self.node = node
        self.opType = opType
        self.opset = opset
    }

    /// An error located at a node: `node "name" (Domain.Op, opset N): message`.
    ///
    /// ```swift
    /// throw InferError.at(node, opset: 13, .invalidModel, "group 3 does not divide 64 input channels")
    /// ```
    package static func at(_ node: Node, opset: Int?, _ kind: Kind, _ message: String) -> InferError {
        InferError(kind, "\(node.locationDescription(opset: opset)): \(message)",
                   node: node.name.isEmpty ? node.outputs.first : node.name, opType: node.qualifiedOpType, opset: opset)
    }

    /// Runs `body` for an entry point that declares `throws(InferError)`: an `InferError` passes
    /// through unchanged, any other error (the engine failed to classify it) becomes `.internalError`.
    package static func classifying<R>(_ body: () throws -> R) throws(InferError) -> R {
        do {
            return try body()
        } catch let error as InferError {
            throw error
        } catch {
            throw InferError(.internalError, "unclassified error: \(error)")
        }
    }

    /// The same error with `context` (a file path, a pass name) before its message; the node
    /// location, if any, is kept.
    public func prefixed(_ context: String) -> InferError {
        InferError(kind, "\(context): \(message)", node: node, opType: opType, opset: opset)
    }

    /// The one-line message (what `print(error)` shows).
    public var description: String { message }
}
