extension Model {
    /// Symbolic dim names used by the graph inputs, in first-seen order.
    package var inputSymbols: [String] {
        var seen: [String] = []
        for input in graph.inputs {
            for case .symbol(let s) in input.type.shape ?? [] where !seen.contains(s) { seen.append(s) }
        }
        return seen
    }

    /// The model with symbolic (and unknown) input dims replaced by concrete sizes:
    /// `values[name]` where given, else `defaultValue` (nil leaves them symbolic).
    package func bindingSymbols(_ values: [String: Int], default defaultValue: Int? = nil) -> Model {
        var copy = self
        copy.graph.inputs = graph.inputs.map { info in
            var info = info
            info.type.shape = info.type.shape?.map { dim in
                switch dim {
                case .symbol(let s): values[s].map(Dim.value) ?? defaultValue.map(Dim.value) ?? dim
                case .unknown: defaultValue.map(Dim.value) ?? dim
                case .value: dim
                }
            }
            return info
        }
        copy.graph.valueInfo = [:]
        return copy
    }
}
