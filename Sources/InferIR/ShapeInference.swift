/// Evaluates one node on known input values (the runtime supplies it; the IR has no kernels).
package typealias NodeEvaluator = @Sendable (_ node: Node, _ opset: Int, _ inputs: [Tensor?]) throws -> [Tensor]

/// Fills `graph.valueInfo` with the type of every value, walking nodes in topological order
/// and calling each operator's `inferTypes`. Known values travel along so shape subgraphs
/// resolve: initializers, Constant nodes, `Shape` of a value whose shape is static, and —
/// when an `evaluate` function is given — any small node whose inputs are all known
/// (ONNX's "data propagation": Shape→Gather→Unsqueeze→Concat→Reshape gets a static shape).
package enum ShapeInference {
    /// Largest value (elements) computed during inference; bigger results are left unknown.
    static let maxPropagatedElements = 4096

    /// `outerTypes`: types of the enclosing scopes' values, when `model.graph` is a subgraph.
    package static func run(_ model: inout Model, evaluate: NodeEvaluator? = nil, outerTypes: [String: ValueType] = [:]) throws {
        let order = try Verifier.verify(model.graph, outerScope: Set(outerTypes.keys))
        var types: [String: ValueType] = outerTypes
        var values: [String: Tensor] = [:]
        let inputNames = Set(model.graph.inputs.map(\.name))
        for (name, t) in model.graph.initializers {
            types[name] = t.type
            // An initializer that is also a graph input is only a default: not a known value.
            if !inputNames.contains(name) { values[name] = t }
        }
        // Declared input dims are held to the tensor limit (subgraph inputs too), so every known
        // dim product a shape function sees fits the limit.
        try ResourceLimits.current.checkDeclaredInputs(model.graph)
        for input in model.graph.inputs { types[input.name] = input.type }
        for node in order {
            guard let opset = model.opset(for: node) else {
                throw InferError.at(node, opset: nil, .unsupportedOperator, "domain \"\(node.domain)\" is not in the model's opset imports")
            }
            guard let schema = OperatorRegistry.schema(for: node) else {
                throw InferError.at(node, opset: opset, .unsupportedOperator, "operator is not supported")
            }
            let scope = types, opsets = model.opsetImports
            let context = ShapeContext(node: node, opset: opset,
                                       inputTypes: node.inputs.map { $0.isEmpty ? nil : types[$0] },
                                       inputValues: node.inputs.map { $0.isEmpty ? nil : values[$0] },
                                       subgraphTypes: node.hasSubgraphs ? { graph, inputTypes in
                                           subgraphOutputTypes(graph, inputTypes: inputTypes, opsets: opsets, outerTypes: scope)
                                       } : nil)
            // Kernels write their first output: a node must have one (ONNX ops all do).
            guard node.outputs.contains(where: { !$0.isEmpty }) else {
                throw InferError.at(node, opset: opset, .invalidModel, "node has no outputs")
            }
            let outs = try schema.inferTypes(context)
            let limits = ResourceLimits.current
            for (name, type) in zip(node.outputs, outs) where !name.isEmpty {
                // Every shape function's result is held to the tensor limit here, in one place.
                if let shape = type.shape {
                    try limits.checkTensor(type.dtype, shape.compactMap(\.intValue), "output \"\(name)\"",
                                           at: CheckedDims(node: node, opset: opset))
                }
                types[name] = type
            }
            if let out = node.outputs.first, !out.isEmpty, values[out] == nil,
               let known = try? propagatedValues(node, opset: opset, context: context, outputTypes: outs, evaluate: evaluate) {
                for (name, value) in zip(node.outputs, known) where !name.isEmpty { values[name] = value }
            }
        }
        model.graph.nodes = order
        for node in order { for out in node.outputs where !out.isEmpty { model.graph.valueInfo[out] = types[out] } }
    }

    /// Output values a node is known to produce at compile time, or nil.
    private static func propagatedValues(_ node: Node, opset: Int, context: ShapeContext, outputTypes: [ValueType],
                                         evaluate: NodeEvaluator?) throws -> [Tensor]? {
        guard node.domain.isEmpty || node.domain == "ai.onnx", !node.hasSubgraphs else { return nil }
        if node.opType == "Constant" { return [try GeneratorOperators.constantValue(context)] }
        if node.opType == "Shape", let dims = try context.type(0).staticDims {
            let (start, end) = try GeneratorOperators.shapeRange(context, rank: dims.count)
            let slice = dims[start..<end].map { Int64($0) }
            return [try Tensor(shape: [slice.count], scalars: Array(slice))]
        }
        guard let evaluate, context.inputCount > 0,
              (0..<node.inputs.count).allSatisfy({ !context.hasInput($0) || context.inputValues[$0] != nil }),
              outputTypes.allSatisfy({ ($0.staticDims.flatMap(elementCount) ?? .max) <= maxPropagatedElements })
        else { return nil }
        return try evaluate(node, opset, context.inputValues)
    }

    /// Infers a subgraph's output types with its inputs typed as given (a nil keeps the declared
    /// type); nil when inference fails (the caller then uses the declared types).
    static func subgraphOutputTypes(_ graph: Graph, inputTypes: [ValueType?], opsets: [String: Int],
                                    outerTypes: [String: ValueType]) -> [ValueType?]? {
        var sub = graph
        for (k, t) in zip(sub.inputs.indices, inputTypes) { if let t { sub.inputs[k].type = t } }
        sub.valueInfo = [:]
        var model = Model(opsetImports: opsets, graph: sub)
        guard (try? run(&model, outerTypes: outerTypes)) != nil else { return nil }
        let g = model.graph
        return g.outputs.map { out in
            g.valueInfo[out.name] ?? g.initializers[out.name]?.type ?? g.inputs.first { $0.name == out.name }?.type
                ?? outerTypes[out.name] ?? out.type
        }
    }
}
