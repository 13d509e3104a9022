import InferIR

/// Queries and edits shared by the GEMM/convolution fusion passes: who reads a value, what a
/// constant looks like per channel, and adding folded weights as new initializers.
enum LinearFusionMatching {
    /// The project's own op domain, imported at version 1 when a fused op is emitted.
    static let domain = "swiftinfer"

    static func isStandard(_ node: Node) -> Bool { node.domain.isEmpty || node.domain == "ai.onnx" }

    /// Index of the one node reading `value`, when exactly one node input reads it and it is not
    /// a graph output (the intermediate of a fusion must disappear with it).
    static func soleReader(of value: String, in graph: Graph, counts: [String: Int]) -> Int? {
        guard counts[value] == 1, !graph.graphOutputNames.contains(value) else { return nil }
        return graph.nodes.firstIndex { $0.inputs.contains(value) }
    }

    /// Why a value cannot be the hidden intermediate of a fusion, for `--explain`.
    static func readerProblem(of value: String, in graph: Graph, counts: [String: Int]) -> String {
        if graph.graphOutputNames.contains(value) { return "\"\(value)\" is a graph output" }
        return "\"\(value)\" has \(counts[value] ?? 0) readers"
    }

    /// The type of a value: initializer, graph input or inferred intermediate.
    static func type(of name: String, in graph: Graph) -> ValueType? {
        if let t = graph.initializers[name] { return t.type }
        return graph.valueInfo[name] ?? graph.inputs.first { $0.name == name }?.type
    }

    /// Float32 values of a constant, nil for any other dtype.
    static func floats(_ t: Tensor) -> [Float]? {
        t.dtype == .float32 ? try? t.scalars(as: Float.self) : nil
    }

    /// A constant that broadcasts against an output of rank `outputRank` along `channelAxis` only
    /// (every other dim 1), expanded to `channels` values; nil when it varies along another axis
    /// or would change the output's rank.
    static func perChannel(_ t: Tensor, channels: Int, channelAxis: Int, outputRank: Int) -> [Float]? {
        guard let values = floats(t), t.rank <= outputRank else { return nil }
        for (i, d) in t.shape.enumerated() {
            let axis = outputRank - t.rank + i
            if d != 1 && !(axis == channelAxis && d == channels) { return nil }
        }
        if values.count == 1 { return Array(repeating: values[0], count: channels) }
        return values.count == channels ? values : nil
    }

    /// Adds `values` as a new float32 initializer named after `base`; returns its name.
    static func addInitializer(_ values: [Float], shape: [Int], base: String, to graph: inout Graph) -> String {
        let name = graph.freshName(base)
        graph.initializers[name] = Tensor(shape: shape, exactly: values)
        return name
    }

    /// Drops initializers that no node or graph output reads any more.
    static func removeUnusedInitializers(_ names: [String], from graph: inout Graph) {
        let used = graph.usedValues, inputs = graph.graphInputNames
        for name in names where !used.contains(name) && !inputs.contains(name) { graph.initializers[name] = nil }
    }

    /// Attributes a standard Gemm or Add created by a fusion needs to broadcast its bias: before
    /// opset 7 those ops broadcast only with `broadcast = 1`.
    static func legacyBroadcast(in model: Model) -> [String: Attribute] {
        (model.opset(forDomain: "") ?? 7) < 7 ? ["broadcast": .int(1)] : [:]
    }

    /// Makes sure the `swiftinfer` domain is imported.
    static func importDomain(_ model: inout Model) {
        if model.opsetImports[domain] == nil { model.opsetImports[domain] = 1 }
    }
}
