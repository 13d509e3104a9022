import InferIR

/// Inputs for a benchmark: the caller's tensors where given, seeded random data of the declared
/// shapes for the rest. Symbolic dims are bound from the given tensors, then from `dims`.
package enum BenchmarkInputs {
    /// Symbolic dims that neither a given tensor nor `dims` binds: a usage error.
    package struct UnboundDims: Error, CustomStringConvertible {
        package let symbols: [String]
        package let inputs: [ValueInfo]
        package var description: String {
            let listed = inputs.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
            return "the model has symbolic dims \(symbols.joined(separator: ", ")) (inputs \(listed)); give each with "
                + symbols.map { "--dim \($0)=VALUE" }.joined(separator: " ")
        }
    }

    /// Binds every input's symbolic dims and fills the missing inputs.
    /// Integer inputs used as `Gather` indices get values in range of the gathered axis;
    /// other integer inputs (masks) are 1; floats are uniform in [-1, 1); bools are true.
    package static func make(for inputs: [ValueInfo], in model: Model, given: [String: Tensor],
                             dims: [String: Int], seed: UInt64 = 0x5EED) throws -> [String: Tensor] {
        var bindings: [String: Int] = [:]
        for info in inputs {
            guard let tensor = given[info.name], let shape = info.type.shape, shape.count == tensor.rank else { continue }
            for (dim, size) in zip(shape, tensor.shape) { if case .symbol(let s) = dim { bindings[s] = size } }
        }
        bindings.merge(dims) { _, explicit in explicit }
        var unbound: [String] = []
        var feeds = given
        var rng = SplitMix64(seed: seed)
        for info in inputs where given[info.name] == nil {
            guard let shape = info.type.shape else {
                unbound.append("\(info.name) (unknown rank)")
                continue
            }
            var concrete: [Int] = []
            for (k, dim) in shape.enumerated() {
                switch dim {
                case .value(let v): concrete.append(v)
                case .symbol(let s):
                    if let v = bindings[s] { concrete.append(v) } else if !unbound.contains(s) { unbound.append(s) }
                case .unknown:
                    let name = "\(info.name)[\(k)]"
                    if let v = bindings[name] { concrete.append(v) } else { unbound.append(name) }
                }
            }
            guard concrete.count == shape.count else { continue }
            feeds[info.name] = randomTensor(info.type.dtype, shape: concrete, indexBound: indexBound(for: info.name, in: model.graph), rng: &rng)
        }
        if !unbound.isEmpty {
            throw UnboundDims(symbols: unbound, inputs: inputs.filter { given[$0.name] == nil })
        }
        return feeds
    }

    /// The size of the axis a `Gather` indexes with this input, when it is an initializer's.
    static func indexBound(for name: String, in graph: Graph) -> Int? {
        var bound: Int?
        for node in graph.nodes where node.opType == "Gather" && node.inputs.count > 1 && node.inputs[1] == name {
            guard let data = graph.initializers[node.inputs[0]] else { continue }
            var axis = (try? node.int("axis", default: 0)) ?? 0
            if axis < 0 { axis += data.rank }
            guard axis >= 0, axis < data.rank else { continue }
            bound = min(bound ?? .max, data.shape[axis])
        }
        return bound
    }

    static func randomTensor(_ dtype: DType, shape: [Int], indexBound: Int?, rng: inout SplitMix64) -> Tensor {
        let n = shape.reduce(1, *)
        func ints<T: FixedWidthInteger & TensorScalar>(_: T.Type) -> Tensor {
            guard let bound = indexBound, bound > 0 else { return Tensor(shape: shape, exactly: [T](repeating: 1, count: n)) }
            let limit = min(bound, Int(T.max))
            return Tensor(shape: shape, exactly: (0..<n).map { _ in T(truncatingIfNeeded: Int(rng.next() % UInt64(limit))) })
        }
        switch dtype {
        case .float32: return Tensor(shape: shape, exactly: (0..<n).map { _ in Float(rng.unitInterval() * 2 - 1) })
        case .float64: return Tensor(shape: shape, exactly: (0..<n).map { _ in rng.unitInterval() * 2 - 1 })
        case .int64: return ints(Int64.self)
        case .int32: return ints(Int32.self)
        case .int8: return ints(Int8.self)
        case .uint8: return ints(UInt8.self)
        case .bool: return Tensor(shape: shape, exactly: [Bool](repeating: true, count: n))
        }
    }
}
