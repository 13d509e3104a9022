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
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// An error located at a node: `node "name" (Domain.Op, opset N): message`.
    public static func at(_ node: Node, opset: Int?, _ kind: Kind, _ message: String) -> InferError {
        InferError(kind, "\(node.locationDescription(opset: opset)): \(message)")
    }

    public var description: String { message }
}
