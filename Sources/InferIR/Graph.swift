/// A named, typed graph input or output.
public struct ValueInfo: Sendable, Equatable {
    /// The value's name in the graph (what `Engine.run` keys its inputs and outputs by).
    public var name: String
    /// Its dtype and (possibly symbolic) shape.
    public var type: ValueType

    /// `ValueInfo(name: "x", type: ValueType(dtype: .float32, dims: [1, 3]))`.
    public init(name: String, type: ValueType) {
        self.name = name
        self.type = type
    }
}

/// A dataflow graph: nodes over named values, with typed inputs/outputs and constant initializers.
/// Nodes are kept in a topological order once the verifier has run (`Graph.sortedTopologically`).
package struct Graph: Sendable, Equatable {
    package var name: String
    package var inputs: [ValueInfo]
    package var outputs: [ValueInfo]
    /// Constant tensors by value name. An initializer may also be listed in `inputs`
    /// (an overridable default, as ONNX allows).
    package var initializers: [String: Tensor]
    package var nodes: [Node]
    /// Known types of intermediate values (filled by shape inference; optional in files).
    package var valueInfo: [String: ValueType]

    package init(name: String = "main", inputs: [ValueInfo] = [], outputs: [ValueInfo] = [],
                initializers: [String: Tensor] = [:], nodes: [Node] = [], valueInfo: [String: ValueType] = [:]) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.initializers = initializers
        self.nodes = nodes
        self.valueInfo = valueInfo
    }

    /// Names of the graph inputs that have a default (an initializer of the same name), sorted.
    package var defaultedInputNames: [String] {
        inputs.map(\.name).filter { initializers[$0] != nil }.sorted()
    }
}

/// A graph plus the model-level facts needed to interpret it: which opset of each domain it uses.
package struct Model: Sendable, Equatable {
    package var irVersion: Int
    /// Domain ("" = ai.onnx) -> opset version.
    package var opsetImports: [String: Int]
    package var producerName: String
    package var producerVersion: String
    package var graph: Graph

    package init(irVersion: Int = 8, opsetImports: [String: Int] = ["": 17], producerName: String = "",
                producerVersion: String = "", graph: Graph) {
        self.irVersion = irVersion
        self.opsetImports = opsetImports
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.graph = graph
    }

    /// The opset version a node is interpreted under (nil when its domain is not imported).
    package func opset(for node: Node) -> Int? { opset(forDomain: node.domain) }

    package func opset(forDomain domain: String) -> Int? {
        let key = domain == "ai.onnx" ? "" : domain
        return opsetImports[key] ?? (key.isEmpty ? opsetImports["ai.onnx"] : nil)
    }
}
