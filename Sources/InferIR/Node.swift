/// One operator application. Values are referred to by name (single assignment);
/// an empty input name is an omitted optional input.
package struct Node: Sendable, Equatable {
    package var name: String
    package var opType: String
    /// "" (or "ai.onnx") for standard ONNX ops, "swiftinfer" for fused ops, ...
    package var domain: String
    package var inputs: [String]
    package var outputs: [String]
    package var attributes: [String: Attribute]

    package init(name: String = "", opType: String, domain: String = "", inputs: [String], outputs: [String],
                attributes: [String: Attribute] = [:]) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// `Conv` for ONNX ops, `swiftinfer.FusedConv` for others.
    package var qualifiedOpType: String {
        domain.isEmpty || domain == "ai.onnx" ? opType : "\(domain).\(opType)"
    }

    /// How errors refer to this node: its name (or first output) plus op and opset.
    package func locationDescription(opset: Int?) -> String {
        let label = name.isEmpty ? "producing \"\(outputs.first ?? "?")\"" : "\"\(name)\""
        let version = opset.map { ", opset \($0)" } ?? ""
        return "node \(label) (\(qualifiedOpType)\(version))"
    }
}
