/// What shape inference of one node sees: the node, its opset, the types of its inputs
/// and whatever input values are known (initializers and constants at compile time;
/// every input at run time, so data-dependent shapes such as Reshape's or NonZero's resolve).
package struct ShapeContext {
    package let node: Node
    package let opset: Int
    /// One entry per node input; nil for an omitted optional input (empty name) or an unknown type.
    package let inputTypes: [ValueType?]
    /// One entry per node input; nil when the value is not known.
    package let inputValues: [Tensor?]
    /// For nodes with subgraphs (If/Loop/Scan): infers a subgraph's output types given its input
    /// types, seeing the enclosing scopes' types (nil when shape inference offers none).
    package let subgraphTypes: ((Graph, [ValueType?]) -> [ValueType?]?)?

    package init(node: Node, opset: Int, inputTypes: [ValueType?], inputValues: [Tensor?],
                subgraphTypes: ((Graph, [ValueType?]) -> [ValueType?]?)? = nil) {
        self.node = node
        self.opset = opset
        self.inputTypes = inputTypes
        self.inputValues = inputValues
        self.subgraphTypes = subgraphTypes
    }

    /// Output types of `graph` when fed `inputTypes`: inferred through the subgraph when possible,
    /// else the subgraph's declared output types.
    package func outputTypes(of graph: Graph, inputTypes: [ValueType?]) -> [ValueType?] {
        inferredOutputTypes(of: graph, inputTypes: inputTypes) ?? graph.outputs.map(\.type)
    }

    /// Output types of `graph` inferred through it, or nil when inference fails (an If branch
    /// not taken for these shapes may well fail).
    package func inferredOutputTypes(of graph: Graph, inputTypes: [ValueType?]) -> [ValueType?]? {
        guard let inferred = subgraphTypes?(graph, inputTypes), inferred.count == graph.outputs.count else { return nil }
        return inferred
    }

    /// Number of inputs present, ignoring trailing omitted ones.
    package var inputCount: Int {
        var n = node.inputs.count
        while n > 0, node.inputs[n - 1].isEmpty { n -= 1 }
        return n
    }

    /// Whether input `i` is present (not omitted).
    package func hasInput(_ i: Int) -> Bool { i < node.inputs.count && !node.inputs[i].isEmpty }

    /// The type of a required input.
    package func type(_ i: Int) throws -> ValueType {
        guard hasInput(i), i < inputTypes.count, let t = inputTypes[i] else {
            throw error(.invalidModel, "input \(i) is missing or has no known type")
        }
        return t
    }

    /// The shape of a required input with known rank.
    package func shape(_ i: Int) throws -> [Dim] {
        guard let s = try type(i).shape else { throw error(.invalidShape, "input \(i) has unknown rank") }
        return s
    }

    /// The known value of input `i`, if any.
    package func value(_ i: Int) -> Tensor? { hasInput(i) && i < inputValues.count ? inputValues[i] : nil }

    package func error(_ kind: InferError.Kind, _ message: String) -> InferError {
        InferError.at(node, opset: opset, kind, message)
    }
}

/// How the engine knows an operator: its name, the oldest opset whose semantics the
/// implementation covers, and how to infer output types.
package struct OperatorSchema: Sendable {
    package let opType: String
    package let domain: String
    /// Oldest opset version handled. Versions newer than the newest ONNX defines are accepted
    /// as long as the ONNX schema did not change (checked at import).
    package let sinceVersion: Int
    package let inferTypes: @Sendable (ShapeContext) throws -> [ValueType]

    package init(_ opType: String, domain: String = "", since sinceVersion: Int = 1,
                inferTypes: @escaping @Sendable (ShapeContext) throws -> [ValueType]) {
        self.opType = opType
        self.domain = domain
        self.sinceVersion = sinceVersion
        self.inferTypes = inferTypes
    }
}

/// Every operator the IR knows, collected from the per-family files in `Ops/`.
package enum OperatorRegistry {
    package static let all: [OperatorSchema] =
        ElementwiseOperators.schemas
        + LinearAlgebraOperators.schemas
        + ConvolutionOperators.schemas
        + NormalizationOperators.schemas
        + TensorOperators.schemas
        + ReductionOperators.schemas
        + FusedLinearOperators.schemas
        + ReducedPrecisionOperators.schemas
        + FusedTransformerOperators.schemas
        + MathOperators.schemas
        + LossOperators.schemas
        + ResizeOperators.schemas
        + AxisNormalizationOperators.schemas
        + AttentionOperators.schemas
        + SelectionOperators.schemas
        + TensorAlgebraOperators.schemas
        + SignalOperators.schemas
        + QuantizationOperators.schemas
        + LinearRecurrenceOperators.schemas
        + OptionalOperators.schemas
        + ControlFlowOperators.schemas
        + VisionOperators.schemas
        + SpectralOperators.schemas
        + RecurrentOperators.schemas + RearrangementOperators.schemas

    private static let byKey: [String: OperatorSchema] = {
        var table: [String: OperatorSchema] = [:]
        for s in all { table[key(s.opType, s.domain)] = s }
        return table
    }()

    /// The key both operator tables use (this one and the runtime's `LoweringTable`):
    /// `"ai.onnx"` and `""` are the same domain.
    package static func key(_ opType: String, _ domain: String) -> String {
        (domain == "ai.onnx" ? "" : domain) + "::" + opType
    }

    package static func schema(opType: String, domain: String) -> OperatorSchema? {
        byKey[key(opType, domain)]
    }

    package static func schema(for node: Node) -> OperatorSchema? {
        schema(opType: node.opType, domain: node.domain)
    }
}
