import InferIR

/// Checks caller-supplied inputs against the graph's declared inputs: every required input
/// present, no unknown names, dtypes equal, static dims equal and each symbolic dim bound
/// to one size across all inputs. Errors name the input and the dim.
package enum InputValidation {
    package static func validate(_ feeds: [String: Tensor], against graph: Graph) throws {
        let declared = Dictionary(graph.inputs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in feeds.keys.sorted() where declared[name] == nil {
            throw InferError(.unknownInput, "unknown input \"\(name)\"; expected \(describe(graph))")
        }
        let missing = graph.inputs.filter { feeds[$0.name] == nil && graph.initializers[$0.name] == nil }
        if !missing.isEmpty {
            throw InferError(.missingInput, "missing input\(missing.count > 1 ? "s" : "") \(missing.map { "\"\($0.name)\"" }.joined(separator: ", ")); expected \(describe(graph))")
        }
        var bound: [String: (Int, String)] = [:]
        for info in graph.inputs {
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

    /// `x: float[N,784], mask: bool[N,N]` — what every missing/unknown-input error lists.
    package static func describe(_ graph: Graph) -> String {
        let list = graph.inputs.filter { graph.initializers[$0.name] == nil }
        return list.isEmpty ? "no inputs" : list.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
    }
}
