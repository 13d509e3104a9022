/// Prints a model in the ONNX textual syntax; `ONNXTextParser.parseModel` reads it back unchanged
/// (`parse(print(m)) == m`), and `onnx.parser.parse_model` accepts it.
///
/// The output is deterministic: opset imports, initializers, value infos and attributes are sorted
/// by name (the IR keeps them in dictionaries); every tensor value is printed; floats use the
/// shortest decimal that parses back to the same bits (NaN payloads excepted: they print as `nan`).
/// Layout follows `onnx.printer.to_text`: initializers and value infos in `<...>` after the
/// signature, attributes annotated with their kind after the inputs.
///
/// For reading rather than round-tripping, `elidingTensorsOver: 64` prints every tensor of more
/// than 64 elements (initializer or tensor attribute) as `{...}` after its type, e.g.
/// `float[768,3072] "w" = {...}`: a 20 MB model's graph fits on a screen. That text does not
/// parse back (the values are gone).
package enum ONNXTextPrinter {
    package static func print(_ model: Model, elidingTensorsOver limit: Int? = nil) -> String {
        var out = "<\n"
        var header = ["   ir_version: \(model.irVersion)"]
        let imports = model.opsetImports.sorted { $0.key < $1.key }
            .map { "\(ONNXTextSyntax.quoted($0.key)) : \($0.value)" }
        header.append("   opset_import: [\(imports.joined(separator: ", "))]")
        if !model.producerName.isEmpty { header.append("   producer_name: \(ONNXTextSyntax.quoted(model.producerName))") }
        if !model.producerVersion.isEmpty {
            header.append("   producer_version: \(ONNXTextSyntax.quoted(model.producerVersion))")
        }
        out += header.joined(separator: ",\n") + "\n>\n"
        out += ONNXTextSyntax.quotableName(model.graph.name)
        appendGraphBody(model.graph, indent: "", limit: limit, to: &out)
        out += "\n"
        return out
    }

    /// A graph without the model header (its name bare or quoted).
    package static func print(_ graph: Graph, elidingTensorsOver limit: Int? = nil) -> String {
        var out = ONNXTextSyntax.quotableName(graph.name)
        appendGraphBody(graph, indent: "", limit: limit, to: &out)
        return out + "\n"
    }

    /// One value type: `float`, `float[]` (unknown rank), `float[N,3,?]`.
    package static func print(_ type: ValueType) -> String {
        guard let shape = type.shape else { return "\(type.dtype.onnxName)[]" }
        if shape.isEmpty { return type.dtype.onnxName }
        return "\(type.dtype.onnxName)[\(shape.map(\.description).joined(separator: ","))]"
    }

    /// Everything after a graph's name: signature, `<initializers, value infos>`, `{ nodes }`.
    private static func appendGraphBody(_ graph: Graph, indent: String, limit: Int?, to out: inout String) {
        out += " (" + graph.inputs.map(valueInfo).joined(separator: ", ") + ") => ("
        out += graph.outputs.map(valueInfo).joined(separator: ", ") + ")"
        var entries: [String] = []
        for (name, tensor) in graph.initializers.sorted(by: { $0.key < $1.key }) {
            var entry = "\(print(tensor.type)) \(ONNXTextSyntax.quotableName(name)) = "
            appendValues(of: tensor, limit: limit, to: &entry)
            entries.append(entry)
        }
        for (name, type) in graph.valueInfo.sorted(by: { $0.key < $1.key }) {
            entries.append("\(print(type)) \(ONNXTextSyntax.quotableName(name))")
        }
        if !entries.isEmpty {
            out += "\n\(indent)   <" + entries.joined(separator: ", ") + ">"
        }
        out += "\n\(indent){\n"
        for node in graph.nodes {
            out += indent + "   "
            appendNode(node, indent: indent + "   ", limit: limit, to: &out)
            out += "\n"
        }
        out += indent + "}"
    }

    private static func valueInfo(_ info: ValueInfo) -> String {
        "\(print(info.type)) \(ONNXTextSyntax.quotableName(info.name))"
    }

    private static func appendNode(_ node: Node, indent: String, limit: Int?, to out: inout String) {
        if !node.name.isEmpty { out += "[\(ONNXTextSyntax.quotableName(node.name))] " }
        out += node.outputs.map(listItem).joined(separator: ", ")
        out += node.outputs.isEmpty ? "= " : " = "
        out += node.domain.isEmpty ? node.opType : "\(node.domain).\(node.opType)"
        out += " (" + node.inputs.map(listItem).joined(separator: ", ") + ")"
        if !node.attributes.isEmpty {
            out += " <"
            var first = true
            for (name, value) in node.attributes.sorted(by: { $0.key < $1.key }) {
                if !first { out += ", " }
                first = false
                out += "\(name): \(value.kindName) = "
                appendAttributeValue(value, indent: indent, limit: limit, to: &out)
            }
            out += ">"
        }
    }

    /// A value name in a node's input/output list: empty names print as `""`.
    private static func listItem(_ name: String) -> String {
        name.isEmpty ? "\"\"" : ONNXTextSyntax.quotableName(name)
    }

    private static func appendAttributeValue(_ value: Attribute, indent: String, limit: Int?, to out: inout String) {
        func list<T>(_ items: [T], _ element: (T, inout String) -> Void) {
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                element(item, &out)
            }
            out += "]"
        }
        switch value {
        case .float(let v): out += ONNXTextSyntax.format(v)
        case .int(let v): out += String(v)
        case .string(let v): out += ONNXTextSyntax.quoted(v)
        case .tensor(let t): appendTensor(t, limit: limit, to: &out)
        case .graph(let g): appendSubgraph(g, indent: indent, limit: limit, to: &out)
        case .floats(let vs): list(vs) { $1 += ONNXTextSyntax.format($0) }
        case .ints(let vs): list(vs) { $1 += String($0) }
        case .strings(let vs): list(vs) { $1 += ONNXTextSyntax.quoted($0) }
        case .tensors(let ts): list(ts) { appendTensor($0, limit: limit, to: &$1) }
        case .graphs(let gs): list(gs) { appendSubgraph($0, indent: indent, limit: limit, to: &$1) }
        case .type(let t): out += print(t)
        case .types(let ts): list(ts) { $1 += print($0) }
        }
    }

    /// A subgraph attribute. ONNX only accepts an identifier here, so other names are quoted
    /// (which this parser reads back; ONNX's would not).
    private static func appendSubgraph(_ graph: Graph, indent: String, limit: Int?, to out: inout String) {
        let bare = ONNXTextSyntax.isIdentifier(graph.name) && !ONNXTextSyntax.isTypeStart(graph.name)
            && !ONNXTextSyntax.isSpecialFloatWord(graph.name)
        out += bare ? graph.name : ONNXTextSyntax.quoted(graph.name)
        appendGraphBody(graph, indent: indent, limit: limit, to: &out)
    }

    private static func appendTensor(_ tensor: Tensor, limit: Int?, to out: inout String) {
        out += "\(print(tensor.type)) "
        appendValues(of: tensor, limit: limit, to: &out)
    }

    /// `{v1,v2,...}`: every element, or `{...}` when there are more than `limit`.
    static func appendValues(of tensor: Tensor, limit: Int? = nil, to out: inout String) {
        let n = tensor.count
        if let limit, n > limit {
            out += "{...}"
            return
        }
        out += "{"
        let base = tensor.rawPointer
        func each<T>(_ type: T.Type, _ format: (T) -> String) {
            let p = base.assumingMemoryBound(to: T.self)
            for i in 0..<n {
                if i > 0 { out += "," }
                out += format(p[i])
            }
        }
        switch tensor.dtype {
        case .float32: each(Float.self, ONNXTextSyntax.format)
        case .float64: each(Double.self, ONNXTextSyntax.format)
        case .int64: each(Int64.self) { String($0) }
        case .int32: each(Int32.self) { String($0) }
        case .int8: each(Int8.self) { String($0) }
        case .uint8: each(UInt8.self) { String($0) }
        case .bool: each(UInt8.self) { $0 != 0 ? "1" : "0" }
        }
        out += "}"
    }
}
