import InferIR

/// Graph inputs that also have an initializer of the same name, as IR-version-3 models and
/// `torch.onnx.export(..., keep_initializers_as_inputs=True)` write them. ONNX makes such an
/// input optional: the initializer is its default, and a value the caller feeds replaces it.
///
/// The optimizer never sees a value that is both: before any pass runs, `resolvingInputDefaults`
/// turns each such input into either a constant (the caller does not feed it: fold, fuse and
/// pre-pack it freely) or a plain required input (the caller feeds it: it stays live). The
/// runtime compiles one program per set of fed defaults, so a fed value is never ignored.
extension Model {
    /// This model with every defaulted input resolved: those named in `live` become plain
    /// graph inputs (their initializer dropped: the caller feeds them), all others become
    /// constants (removed from the graph inputs, their initializer kept).
    package func resolvingInputDefaults(live: Set<String>) -> Model {
        var resolved = self
        let defaulted = Set(graph.defaultedInputNames)
        guard !defaulted.isEmpty else { return self }
        resolved.graph.inputs.removeAll { defaulted.contains($0.name) && !live.contains($0.name) }
        for name in defaulted where live.contains(name) { resolved.graph.initializers[name] = nil }
        return resolved
    }
}
