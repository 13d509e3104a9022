import InferIR

/// The inputs a model declares, in order, and which of them have a default (an initializer of
/// the same name: the caller may leave those out). What feeds are checked against.
package struct InputSignature: Sendable {
    package let inputs: [ValueInfo]
    package let defaulted: Set<String>

    package init(_ graph: Graph) {
        inputs = graph.inputs
        defaulted = Set(graph.defaultedInputNames)
    }

    /// The inputs a caller must feed.
    package var required: [ValueInfo] { inputs.filter { !defaulted.contains($0.name) } }
    /// The inputs a caller may feed to replace their default.
    package var optional: [ValueInfo] { inputs.filter { defaulted.contains($0.name) } }
}

/// Checks caller-supplied inputs against the declared inputs: every required input
/// present, no unknown names, dtypes equal, static dims equal and each symbolic dim bound
/// to one size across all inputs. Errors name the input and the dim.
///
/// The happy path (`isValid`) allocates nothing, so a steady-state run stays allocation-free;
/// only when it fails does `diagnose` build the message.
package enum InputValidation {
    package static func validate(_ feeds: [String: Tensor], against signature: InputSignature) throws {
        if isValid(feeds, signature) { return }
        try diagnose(feeds, against: signature)
    }

    /// True when the feeds pass every check; no heap allocation.
    static func isValid(_ feeds: [String: Tensor], _ signature: InputSignature) -> Bool {
        let inputs = signature.inputs
        var matched = 0
        for i in 0..<inputs.count {
            let info = inputs[i]
            guard let t = feeds[info.name] else {
                if !signature.defaulted.contains(info.name) { return false }
                continue
            }
            matched += 1
            guard t.dtype == info.type.dtype else { return false }
            guard let dims = info.type.shape else { continue }
            guard dims.count == t.rank else { return false }
            for axis in 0..<dims.count {
                switch dims[axis] {
                case .value(let v):
                    if v != t.shape[axis] { return false }
                case .symbol(let s):
                    if !symbolAgrees(s, size: t.shape[axis], inputsBefore: i, inputs, feeds) { return false }
                default: break
                }
            }
        }
        return matched == feeds.count   // otherwise some feed names no graph input
    }

    /// Whether every earlier input's dim named `symbol` has `size`.
    private static func symbolAgrees(_ symbol: String, size: Int, inputsBefore end: Int, _ inputs: [ValueInfo],
                                     _ feeds: [String: Tensor]) -> Bool {
        for j in 0..<end {
            guard let dims = inputs[j].type.shape, let t = feeds[inputs[j].name], t.rank == dims.count else { continue }
            for axis in 0..<dims.count {
                if case .symbol(let s) = dims[axis], s == symbol, t.shape[axis] != size { return false }
            }
        }
        return true
    }

    /// The full check with messages; throws the first problem found.
    static func diagnose(_ feeds: [String: Tensor], against signature: InputSignature) throws {
        let declared = Dictionary(signature.inputs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in feeds.keys.sorted() where declared[name] == nil {
            throw InferError(.unknownInput, "unknown input \"\(name)\"; expected \(describe(signature))")
        }
        let missing = signature.required.filter { feeds[$0.name] == nil }
        if !missing.isEmpty {
            throw InferError(.missingInput, "missing input\(missing.count > 1 ? "s" : "") \(missing.map { "\"\($0.name)\"" }.joined(separator: ", ")); expected \(describe(signature))")
        }
        var bound: [String: (Int, String)] = [:]
        for info in signature.inputs {
            guard let t = feeds[info.name] else { continue }
            guard t.dtype == info.type.dtype else {
                throw InferError(.dtypeMismatch, "input \"\(info.name)\" is \(t.dtype), expected \(info.type.dtype)")
            }
            guard let dims = info.type.shape else { continue }
            guard dims.count == t.rank else {
                throw InferError(.invalidShape, "input \"\(info.name)\" has shape \(t.shape) (rank \(t.rank)), expected \(info.type) (rank \(dims.count))")
            }
            for (axis, (dim, size)) in zip(dims, t.shape).enumerated() {
                switch dim {
                case .value(let v) where v != size:
                    throw InferError(.invalidShape, "input \"\(info.name)\" dim \(axis) is \(size), expected \(v) (declared \(info.type), got \(t.shape))")
                case .symbol(let s):
                    if let (prev, owner) = bound[s], prev != size {
                        throw InferError(.invalidShape, "input \"\(info.name)\" dim \(axis) (\(s)) is \(size) but \"\(owner)\" bound \(s) = \(prev)")
                    }
                    bound[s] = (size, info.name)
                default: break
                }
            }
        }
    }

    /// `x: float[N,784], mask: bool[N,N]` — what every missing/unknown-input error lists
    /// (then `; optional (with defaults): w: float[4,3]` when some inputs have defaults).
    package static func describe(_ signature: InputSignature) -> String {
        func list(_ infos: [ValueInfo]) -> String { infos.map { "\($0.name): \($0.type)" }.joined(separator: ", ") }
        let required = signature.required, optional = signature.optional
        let text = required.isEmpty ? "no inputs" : list(required)
        return optional.isEmpty ? text : "\(text); optional (with defaults): \(list(optional))"
    }
}
