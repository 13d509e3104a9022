/// Shape inference for the control-flow operators If (opset 1+), Loop (1+) and Scan (8, and 9+
/// without the batch axis). Their bodies are subgraph attributes; output types come from the
/// subgraphs' output types (inferred with the enclosing scope visible, else as declared). Where
/// they come out static, a static plan gives the outputs arena slots and runs the node as one
/// nested step (InferRuntime/Program/NestedProgramStep.swift), checking each result against its slot;
/// otherwise the node's outputs are data-dependent and sized when it runs.
package enum ControlFlowOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("If", since: 1) { ctx in
            let cond = try ctx.type(0)
            guard cond.dtype == .bool else { throw ctx.error(.unsupportedDType, "cond must be bool, got \(cond.dtype)") }
            let thenBranch = try subgraph(ctx, "then_branch"), elseBranch = try subgraph(ctx, "else_branch")
            guard thenBranch.outputs.count == elseBranch.outputs.count else {
                throw ctx.error(.invalidModel, "then_branch has \(thenBranch.outputs.count) outputs, else_branch \(elseBranch.outputs.count)")
            }
            let thenInferred = ctx.inferredOutputTypes(of: thenBranch, inputTypes: [])
            let elseInferred = ctx.inferredOutputTypes(of: elseBranch, inputTypes: [])
            // A branch whose inference fails (it cannot run on these shapes) defers to the other.
            let thenTypes: [ValueType?] = thenInferred ?? elseInferred ?? thenBranch.outputs.map { Optional($0.type) }
            let elseTypes: [ValueType?] = elseInferred ?? thenInferred ?? elseBranch.outputs.map { Optional($0.type) }
            // A known condition picks its branch; otherwise the branches' shapes merge.
            if let c = ctx.value(0), c.count == 1 {
                let taken = c.intValues()[0] != 0 ? thenTypes : elseTypes
                return taken.map { $0 ?? ValueType(dtype: .float32, shape: nil) }
            }
            return zip(thenTypes, elseTypes).map { t, e in
                guard let t else { return e ?? ValueType(dtype: .float32, shape: nil) }
                guard let e else { return t }
                return merged(t, e)
            }
        },
        OperatorSchema("Loop", since: 1) { ctx in
            let body = try subgraph(ctx, "body")
            let carried = max(0, ctx.node.inputs.count - 2)
            guard body.inputs.count == carried + 2, body.outputs.count >= carried + 1 else {
                throw ctx.error(.invalidModel, "body has \(body.inputs.count) inputs and \(body.outputs.count) outputs for \(carried) loop-carried values")
            }
            if ctx.hasInput(0), let m = ctx.inputTypes[0], m.dtype != .int64 {
                throw ctx.error(.unsupportedDType, "M must be int64, got \(m.dtype)")
            }
            if ctx.hasInput(1), let c = ctx.inputTypes[1], c.dtype != .bool {
                throw ctx.error(.unsupportedDType, "cond must be bool, got \(c.dtype)")
            }
            let initial = (0..<carried).map { ctx.hasInput($0 + 2) ? ctx.inputTypes[$0 + 2] : nil }
            let bodyIn: [ValueType?] = [ValueType(dtype: .int64, dims: []), ValueType(dtype: .bool, dims: [])] + initial
            let bodyOut = ctx.outputTypes(of: body, inputTypes: bodyIn)
            // A constant trip count without a condition fixes the scan outputs' length.
            var trips = Dim.unknown
            if !ctx.hasInput(1), let m = ctx.value(0), m.count == 1 { trips = .value(max(0, m.intValues()[0])) }
            var types: [ValueType] = []
            for k in 0..<carried {
                let out = bodyOut[k + 1]
                switch (initial[k], out) {
                case let (i?, o?): types.append(merged(i, o))
                case let (i?, nil): types.append(ValueType(dtype: i.dtype, shape: nil))
                case let (nil, o?): types.append(ValueType(dtype: o.dtype, shape: nil))
                default: types.append(ValueType(dtype: .float32, shape: nil))
                }
            }
            for out in bodyOut.dropFirst(carried + 1) {
                let o = out ?? ValueType(dtype: .float32, shape: nil)
                types.append(ValueType(dtype: o.dtype, shape: o.shape.map { [trips] + $0 }))
            }
            return types
        },
        OperatorSchema("Scan", since: 8) { ctx in
            let body = try subgraph(ctx, "body")
            let scanCount = try ctx.node.int("num_scan_inputs")
            let batched = ctx.opset < 9
            let first = batched ? 1 : 0   // Scan-8's optional sequence_lens comes first
            // Bounded before subtracting: the attribute may hold anything.
            let stateCount = (1...max(1, ctx.node.inputs.count)).contains(scanCount) ? ctx.node.inputs.count - first - scanCount : -1
            guard scanCount >= 1, stateCount >= 0, body.inputs.count == stateCount + scanCount,
                  body.outputs.count >= stateCount else {
                throw ctx.error(.invalidModel, "num_scan_inputs \(scanCount) does not fit \(ctx.node.inputs.count) inputs and a body of \(body.inputs.count) inputs, \(body.outputs.count) outputs")
            }
            let inputTypes = (0..<(stateCount + scanCount)).map { ctx.hasInput(first + $0) ? ctx.inputTypes[first + $0] : nil }
            let inputAxes = batched ? [Int](repeating: 1, count: scanCount)
                : try ctx.node.ints("scan_input_axes", default: [Int](repeating: 0, count: scanCount))
            guard inputAxes.count == scanCount else { throw ctx.error(.invalidModel, "scan_input_axes needs \(scanCount) entries") }
            var bodyIn: [ValueType?] = []
            var sequence = Dim.unknown
            for (k, type) in inputTypes.enumerated() {
                guard let type, var shape = type.shape else { bodyIn.append(nil); continue }
                if batched {
                    // Drop the batch axis (and the sequence axis for scan inputs).
                    guard !shape.isEmpty else { throw ctx.error(.invalidShape, "Scan-8 inputs need a batch axis") }
                    shape.removeFirst()
                }
                if k >= stateCount {
                    var axis = inputAxes[k - stateCount]
                    if batched { axis = 0 }
                    if axis < 0 { axis += shape.count }
                    guard axis >= 0, axis < shape.count else {
                        throw ctx.error(.invalidShape, "scan_input_axes[\(k - stateCount)] is out of range for rank \(shape.count)")
                    }
                    if case .value = shape[axis] { sequence = shape[axis] }
                    shape.remove(at: axis)
                }
                bodyIn.append(ValueType(dtype: type.dtype, shape: shape))
            }
            let bodyOut = ctx.outputTypes(of: body, inputTypes: bodyIn)
            let outputCount = body.outputs.count - stateCount
            let outputAxes = batched ? [Int](repeating: 0, count: outputCount)
                : try ctx.node.ints("scan_output_axes", default: [Int](repeating: 0, count: outputCount))
            guard outputAxes.count == outputCount else { throw ctx.error(.invalidModel, "scan_output_axes needs \(outputCount) entries") }
            let batch: Dim? = batched ? (inputTypes.compactMap { $0?.shape?.first }.first ?? .unknown) : nil
            var types: [ValueType] = []
            for (k, out) in bodyOut.enumerated() {
                let dtype = out?.dtype ?? (k < stateCount ? inputTypes[k]?.dtype : nil) ?? .float32
                guard var shape = out?.shape ?? (k < stateCount ? bodyIn[k]?.shape : nil) else {
                    types.append(ValueType(dtype: dtype, shape: nil)); continue
                }
                if k >= stateCount {
                    var axis = outputAxes[k - stateCount]
                    if axis < 0 { axis += shape.count + 1 }
                    guard axis >= 0, axis <= shape.count else {
                        throw ctx.error(.invalidShape, "scan_output_axes[\(k - stateCount)] is out of range for rank \(shape.count + 1)")
                    }
                    shape.insert(sequence, at: axis)
                }
                if let batch { shape.insert(batch, at: 0) }
                types.append(ValueType(dtype: dtype, shape: shape))
            }
            return types
        },
    ]

    /// The graph attribute `name` of the node.
    package static func subgraph(_ ctx: ShapeContext, _ name: String) throws -> Graph {
        guard let attr = ctx.node.attributes[name] else { throw ctx.error(.invalidModel, "missing graph attribute \(name)") }
        guard case .graph(let g) = attr else { throw ctx.error(.invalidModel, "attribute \(name) must be a graph, got \(attr.kindName)") }
        return g
    }

    /// The type covering both: equal dims stay, differing dims become unknown, differing ranks unknown rank.
    static func merged(_ a: ValueType, _ b: ValueType) -> ValueType {
        guard let sa = a.shape, let sb = b.shape, sa.count == sb.count else { return ValueType(dtype: a.dtype, shape: nil) }
        return ValueType(dtype: a.dtype, shape: zip(sa, sb).map { $0 == $1 ? $0 : .unknown })
    }
}
