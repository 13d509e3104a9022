/// The one error type of the engine: a kind a program can switch on, and a one-line message
/// a person can act on. Messages about a node carry its name, op type, domain and opset
/// (see `InferError.at(_:opset:_:_:)`), tract-style: `node "conv1" (Conv, opset 13): ...`.
public struct InferError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case invalidModel          // malformed graph, bad attribute, cycle, missing value
        case parse                 // ONNX text or protobuf that does not decode
        case unsupportedOperator   // op (or op version) we do not implement
        case unsupportedDType      // a dtype outside the supported set
        case unsupportedFeature    // control-flow subgraphs, sparse tensors, ...
        case invalidShape          // shapes that do not agree, absurd sizes
        case dtypeMismatch
        case missingInput
        case unknownInput
        case io                    // files and paths
        case invalidPlan           // compiled plan file problems
        case usage                 // CLI misuse that reaches the library
        case resourceLimit         // a size, count, loop or run time over `ResourceLimits`
    }

    public let kind: Kind
    /// The whole one-line message, location included.
    public let message: String
    /// For an error about a node: its name (or, unnamed, its first output), its op type
    /// (`Conv`, `swiftinfer.FusedConv`) and the opset it was read at (nil when unknown).
    public let node: String?
    public let opType: String?
    public let opset: Int?

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

    /// The same error with `context` (a file path, a pass name) before its message; the node
    /// location, if any, is kept.
    public func prefixed(_ context: String) -> InferError {
        InferError(kind, "\(context): \(message)", node: node, opType: opType, opset: opset)
    }

    public var description: String { message }
}
