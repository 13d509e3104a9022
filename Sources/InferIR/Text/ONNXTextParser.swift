/// Parses the ONNX textual syntax (what `onnx.printer.to_text` writes, `onnx.parser.parse_model` reads):
///
/// ```
/// <ir_version: 8, opset_import: ["" : 17]>
/// main (float[N,4] x) => (float[N,4] y)
///    <float[4] b = {0.5, -1, 2, 0}>
/// {
///    [add] y = Add (x, b)    # comments run to the end of the line
/// }
/// ```
///
/// Every error is an `InferError`: `.parse` with `line L, column C: expected ..., found ...` for
/// malformed text, `.unsupportedDType` / `.unsupportedFeature` for valid ONNX the IR cannot hold
/// (float16 tensors, sequence types, model-local functions, ...).
package enum ONNXTextParser {
    package static func parseModel(_ text: String) throws -> Model {
        var reader = try ONNXTextReader(text)
        return try reader.model()
    }

    /// Parses a bare graph (`name (inputs) => (outputs) <initializers> { nodes }`).
    package static func parseGraph(_ text: String) throws -> Graph {
        var reader = try ONNXTextReader(text)
        let graph = try reader.graph(name: try reader.quotableName("a graph name"))
        guard reader.atEnd else { throw reader.error(expected: "end of input") }
        return graph
    }
}

extension ONNXTextReader {
    mutating func model() throws -> Model {
        var model = Model(irVersion: 0, opsetImports: [:], graph: Graph())
        if at("<") { try modelHeader(&model) }
        model.graph = try graph(name: try quotableName("a graph name"))
        if !atEnd {
            if current.kind == .identifier || at("<") {
                throw error(at: current, "model-local functions are not supported", kind: .unsupportedFeature)
            }
            throw error(expected: "end of input")
        }
        return model
    }

    /// `< ir_version: 8, opset_import: ["" : 17], producer_name: "...", ... >`. Keys the IR has no
    /// field for (domain, model_version, doc_string, metadata_props) are read and dropped.
    private mutating func modelHeader(_ model: inout Model) throws {
        try expect("<")
        var seen: Set<String> = []
        repeat {
            let keyToken = current
            let key = try identifier("a model header key (ir_version, opset_import, producer_name, ...)")
            guard seen.insert(key).inserted else { throw error(at: keyToken, "duplicate header key '\(key)'") }
            try expect(":", "':' after '\(key)'")
            switch key {
            case "ir_version": model.irVersion = try integerLiteral()
            case "opset_import": model.opsetImports = try opsetImports()
            case "producer_name": model.producerName = try stringLiteral()
            case "producer_version": model.producerVersion = try stringLiteral()
            case "domain", "doc_string": _ = try stringLiteral()
            case "model_version": _ = try integerLiteral()
            case "metadata_props":
                try expect("[")
                if !at("]") {
                    repeat {
                        _ = try stringLiteral("a metadata key string")
                        try expect(":")
                        _ = try stringLiteral("a metadata value string")
                    } while try accept(",")
                }
                try expect("]", "',' or ']'")
            default:
                throw error(at: keyToken, "expected a model header key (ir_version, opset_import, producer_name, producer_version, domain, model_version, doc_string, metadata_props), found '\(key.prefix(40))'")
            }
        } while try accept(",")
        try expect(">", "',' or '>'")
    }

    private mutating func opsetImports() throws -> [String: Int] {
        try expect("[")
        var imports: [String: Int] = [:]
        if !at("]") {
            repeat {
                let token = current
                let domain = try stringLiteral("an opset domain string (\"\" for ai.onnx)")
                try expect(":")
                let version = try integerLiteral("an opset version")
                guard imports.updateValue(version, forKey: domain) == nil else {
                    throw error(at: token, "opset domain \"\(domain)\" is imported twice")
                }
            } while try accept(",")
        }
        try expect("]", "',' or ']'")
        return imports
    }

    /// `(inputs) => (outputs) <initializers and value infos> { nodes }` after the graph's name.
    mutating func graph(name: String) throws -> Graph {
        let startToken = current
        do {
            // Checked before descending: each level recurses, so this bounds the stack too.
            try ResourceLimits.current.checkNesting(graphDepth, "the model")
        } catch let limit {
            throw error(at: startToken, limit.message, kind: limit.kind)
        }
        graphDepth += 1
        defer { graphDepth -= 1 }

        var graph = Graph(name: name)
        if try accept("(") {
            if !at(")") {
                repeat {
                    let (valueName, type, token) = try valueInfo("a graph input")
                    guard let type else { throw error(at: token, "graph input '\(valueName)' needs a type", kind: .unsupportedFeature) }
                    let resolved = try resolve(type, of: "graph input '\(valueName)'")
                    graph.inputs.append(ValueInfo(name: valueName, type: resolved))
                    if try accept("=") {
                        try addInitializer(try tensorValues(type: type, name: valueName), valueName, &graph, at: token)
                    }
                } while try accept(",")
            }
            try expect(")", "',' or ')'")
        }
        try expect("=", "'=>' between graph inputs and outputs")
        try expect(">", "'=>' between graph inputs and outputs")
        try expect("(", "'(' before graph outputs")
        if !at(")") {
            repeat {
                let (valueName, type, token) = try valueInfo("a graph output")
                guard let type else { throw error(at: token, "graph output '\(valueName)' needs a type", kind: .unsupportedFeature) }
                graph.outputs.append(ValueInfo(name: valueName, type: try resolve(type, of: "graph output '\(valueName)'")))
            } while try accept(",")
        }
        try expect(")", "',' or ')'")
        if try accept("<"), !(try accept(">")) {
            repeat {
                let (valueName, type, token) = try valueInfo("an initializer or value info")
                if try accept("=") {
                    guard let type else { throw error(at: token, "initializer '\(valueName)' needs a type") }
                    try addInitializer(try tensorValues(type: type, name: valueName), valueName, &graph, at: token)
                } else if let type {  // an untyped value info says nothing: skip it
                    let resolved = try resolve(type, of: "value '\(valueName)'")
                    guard graph.valueInfo.updateValue(resolved, forKey: valueName) == nil else {
                        throw error(at: token, "value '\(valueName)' has two value infos")
                    }
                }
            } while try accept(",")
            try expect(">", "',' or '>'")
        }
        try expect("{", "'{' before the graph's nodes")
        while !(try accept("}")) {
            graph.nodes.append(try node())
        }
        return graph
    }

    private func addInitializer(_ tensor: Tensor, _ name: String, _ graph: inout Graph, at token: ONNXTextToken) throws {
        guard graph.initializers.updateValue(tensor, forKey: name) == nil else {
            throw error(at: token, "initializer '\(name)' is defined twice")
        }
    }

    /// `[name] out1, out2 = domain.Op <attributes> (in1, "", in3)`; attributes may also follow the inputs.
    private mutating func node() throws -> Node {
        if atEnd { throw error(expected: "a node or '}'") }
        var name = ""
        if try accept("[") {
            if current.kind == .string || current.kind == .identifier { name = try quotableName("a node name") }
            try expect("]")
        }
        let outputs = try nameList()
        try expect("=", outputs.isEmpty ? "a node (outputs '=' Op (inputs)) or '}'" : "',' or '=' after node outputs")
        var path = [try identifier("an operator name")]
        while try accept(".") {
            path.append(try identifier("an operator name after '.'"))
        }
        let opType = path.removeLast()
        if at(":") {
            throw error(at: current, "function overloads (Op:overload) are not supported", kind: .unsupportedFeature)
        }
        var attributes: [String: Attribute] = [:]
        if at("<") { attributes = try attributeList() }
        try expect("(", "'(' before the inputs of \(opType)")
        let inputs = try nameList()
        try expect(")", "',' or ')' after the inputs of \(opType)")
        if attributes.isEmpty, at("<") { attributes = try attributeList() }
        return Node(name: name, opType: opType, domain: path.joined(separator: "."), inputs: inputs, outputs: outputs,
                    attributes: attributes)
    }
}
