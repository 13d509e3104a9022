/// One operator application. Values are referred to by name (single assignment);
/// an empty input name is an omitted optional input.
public struct Node: Sendable, Equatable {
    public var name: String
    public var opType: String
    /// "" (or "ai.onnx") for standard ONNX ops, "swiftinfer" for fused ops, ...
    public var domain: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [String: Attribute]

    public init(name: String = "", opType: String, domain: String = "", inputs: [String], outputs: [String],
                attributes: [String: Attribute] = [:]) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// `Conv` for ONNX ops, `swiftinfer.FusedConv` for others.
    public var qualifiedOpType: String {
        domain.isEmpty || domain == "ai.onnx" ? opType : "\(domain).\(opType)"
    }

    /// How errors refer to this node: its name (or first output) plus op and opset.
    public func locationDescription(opset: Int?) -> String {
        let label = name.isEmpty ? "producing \"\(outputs.first ?? "?")\"" : "\"\(name)\""
        let version = opset.map { ", opset \($0)" } ?? ""
        return "node \(label) (\(qualifiedOpType)\(version))"
    }
}
