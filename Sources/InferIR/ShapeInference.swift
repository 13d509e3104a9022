/// Fills `graph.valueInfo` with the type of every value, walking nodes in topological order
/// and calling each operator's `inferTypes`. Constant values (initializers, Constant nodes)
/// are passed along so shape subgraphs resolve where they can.
public enum ShapeInference {
    public static func run(_ model: inout Model) throws {
        let order = try Verifier.verify(model.graph)
        var types: [String: ValueType] = [:]
        var values: [String: Tensor] = [:]
        for (name, t) in model.graph.initializers {
            types[name] = t.type
            values[name] = t
        }
        for input in model.graph.inputs { types[input.name] = input.type }
        for node in order {
            guard let opset = model.opset(for: node) else {
                throw InferError.at(node, opset: nil, .unsupportedOperator, "domain \"\(node.domain)\" is not in the model's opset imports")
            }
            guard let schema = OperatorRegistry.schema(for: node) else {
                throw InferError.at(node, opset: opset, .unsupportedOperator, "operator is not supported")
            }
            let context = ShapeContext(node: node, opset: opset,
                                       inputTypes: node.inputs.map { $0.isEmpty ? nil : types[$0] },
                                       inputValues: node.inputs.map { $0.isEmpty ? nil : values[$0] })
            let outs = try schema.inferTypes(context)
            for (name, type) in zip(node.outputs, outs) where !name.isEmpty {
                types[name] = type
            }
            if node.opType == "Constant", node.domain.isEmpty || node.domain == "ai.onnx", let out = node.outputs.first,
               let t = try? GeneratorOperators.constantValue(context) {
                values[out] = t
            }
        }
        model.graph.nodes = order
        for node in order { for out in node.outputs where !out.isEmpty { model.graph.valueInfo[out] = types[out] } }
    }
}
