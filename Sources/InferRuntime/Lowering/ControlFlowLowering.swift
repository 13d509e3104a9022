import InferIR
import InferKernels

/// If, Loop and Scan (schemas in InferIR/Ops/ControlFlowOperators.swift). Each node gets a
/// `SubgraphRunner` built once with its `Program`: nested `.dynamic` programs over its
/// subgraphs, run with the enclosing scope's values visible. Output shapes are only known once
/// the bodies ran, so the runners return their own outputs (no pre-allocation from inferred types).
enum ControlFlowLowering {
    static let bindings: [KernelBinding] = [
        KernelBinding("If", subgraphRunner: makeIf),
        KernelBinding("Loop", subgraphRunner: makeLoop),
        KernelBinding("Scan", subgraphRunner: makeScan),
    ]

    /// A nested program over the graph attribute `name`, reading enclosing values by name.
    static func executor(_ node: Node, _ name: String, opsets: [String: Int], threads: Int) throws -> Program {
        guard case .graph(let graph)? = node.attributes[name] else {
            throw InferError(.invalidModel, "missing graph attribute \(name)")
        }
        return try Program(model: Model(opsetImports: opsets, graph: graph), layout: .dynamic, threads: threads,
                           outerScope: graph.outerReferences)
    }

    /// Runs a body and returns its outputs in declared order.
    static func run(_ body: Program, _ feeds: [String: Tensor], scope: [String: Tensor]) throws -> [Tensor] {
        let result = try body.run(feeds, outerScope: scope)
        return try body.model.graph.outputs.map { out in
            guard let t = result[out.name] else { throw InferError(.invalidModel, "body output \"\(out.name)\" was not computed") }
            return t
        }
    }

    static func scalarFlag(_ t: Tensor, _ what: String, node: Node, opset: Int) throws -> Bool {
        guard t.dtype == .bool, t.count == 1 else {
            throw InferError.at(node, opset: opset, .invalidModel, "\(what) must be one bool, got \(t.dtype) \(t.shape)")
        }
        return t.rawPointer.load(as: UInt8.self) != 0
    }

    // MARK: If

    static let makeIf: @Sendable (Node, Int, [String: Int], Int) throws -> SubgraphRunner = { node, opset, opsets, threads in
        let thenBody = try executor(node, "then_branch", opsets: opsets, threads: threads)
        let elseBody = try executor(node, "else_branch", opsets: opsets, threads: threads)
        return { inputs, scope in
            guard let cond = inputs.first ?? nil else { throw InferError.at(node, opset: opset, .invalidModel, "cond is missing") }
            let body = try scalarFlag(cond, "cond", node: node, opset: opset) ? thenBody : elseBody
            return try run(body, [:], scope: scope)
        }
    }

    // MARK: Loop

    static let makeLoop: @Sendable (Node, Int, [String: Int], Int) throws -> SubgraphRunner = { node, opset, opsets, threads in
        let body = try executor(node, "body", opsets: opsets, threads: threads)
        let graph = body.model.graph
        let carriedCount = max(0, node.inputs.count - 2)
        guard graph.inputs.count == carriedCount + 2, graph.outputs.count >= carriedCount + 1 else {
            throw InferError(.invalidModel, "body has \(graph.inputs.count) inputs and \(graph.outputs.count) outputs for \(carriedCount) loop-carried values")
        }
        let inputNames = graph.inputs.map(\.name)
        let scanCount = graph.outputs.count - 1 - carriedCount
        func fail(_ kind: InferError.Kind, _ message: String) -> InferError { InferError.at(node, opset: opset, kind, message) }
        return { inputs, scope in
            var maxTrips = Int64.max
            if let m = inputs.first ?? nil {
                guard m.dtype == .int64, m.count == 1 else { throw fail(.invalidModel, "M must be one int64, got \(m.dtype) \(m.shape)") }
                maxTrips = m.rawPointer.load(as: Int64.self)
            }
            var cond = true
            if inputs.count > 1, let c = inputs[1] { cond = try scalarFlag(c, "cond", node: node, opset: opset) }
            var state: [Tensor] = []
            for k in 0..<carriedCount {
                guard k + 2 < inputs.count, let t = inputs[k + 2] else {
                    throw fail(.unsupportedFeature, "loop-carried value \(k) is missing (optional values are not supported)")
                }
                state.append(t)
            }
            var scans = [[Tensor]](repeating: [], count: scanCount)
            var scanBytes = 0
            let limits = ResourceLimits.current, place = CheckedDims(node: node, opset: opset)
            var trip: Int64 = 0
            while trip < maxTrips && cond {
                // M and cond come from the model or the caller: count iterations instead of trusting them.
                try limits.checkLoopIterations(Int(trip) + 1, "the loop (trip count \(maxTrips == .max ? "none" : String(maxTrips))) reaches", at: place)
                try ResourceLimits.checkDeadline(at: place)
                var feeds: [String: Tensor] = [inputNames[0]: Tensor(scalar: trip), inputNames[1]: Tensor(scalar: cond)]
                for k in 0..<carriedCount { feeds[inputNames[k + 2]] = state[k] }
                let out = try run(body, feeds, scope: scope)
                cond = try scalarFlag(out[0], "the body's cond output", node: node, opset: opset)
                state = Array(out[1..<(1 + carriedCount)])
                for k in 0..<scanCount {
                    scans[k].append(out[1 + carriedCount + k])
                    scanBytes = try place.add(scanBytes, out[1 + carriedCount + k].byteCount, "the scan outputs' bytes")
                }
                try limits.checkTensor(bytes: scanBytes, "the scan outputs so far", at: place)
                trip += 1
            }
            var outputs = state
            for k in 0..<scanCount {
                let declared = graph.outputs[1 + carriedCount + k].type
                outputs.append(try stack(scans[k], emptyType: declared, fail: fail))
            }
            return outputs
        }
    }

    /// Concatenates equal-shaped tensors along a new axis 0 (an empty list gives [0, declared dims...]).
    static func stack(_ items: [Tensor], emptyType: ValueType, fail: (InferError.Kind, String) -> InferError) throws -> Tensor {
        guard let first = items.first else {
            return Tensor(zeros: emptyType.dtype, shape: [0] + (emptyType.staticDims ?? []))
        }
        for t in items where t.dtype != first.dtype || t.shape != first.shape {
            throw fail(.invalidShape, "scan output changes from \(first.dtype)\(first.shape) to \(t.dtype)\(t.shape) between iterations")
        }
        let result = try Tensor.zeros(first.dtype, shape: [items.count] + first.shape)
        let bytes = first.byteCount
        for (i, t) in items.enumerated() where bytes > 0 {
            (result.mutableRawPointer + i * bytes).copyMemory(from: t.rawPointer, byteCount: bytes)
        }
        return result
    }

    // MARK: Scan

    static let makeScan: @Sendable (Node, Int, [String: Int], Int) throws -> SubgraphRunner = { node, opset, opsets, threads in
        let body = try executor(node, "body", opsets: opsets, threads: threads)
        let graph = body.model.graph
        let scanCount = try node.int("num_scan_inputs")
        let batched = opset < 9
        let first = batched ? 1 : 0
        let stateCount = (1...max(1, node.inputs.count)).contains(scanCount) ? node.inputs.count - first - scanCount : -1
        guard scanCount >= 1, stateCount >= 0, graph.inputs.count == stateCount + scanCount, graph.outputs.count >= stateCount else {
            throw InferError(.invalidModel, "num_scan_inputs \(scanCount) does not fit \(node.inputs.count) inputs and a body of \(graph.inputs.count) inputs")
        }
        let outputCount = graph.outputs.count - stateCount
        let inputDirections = try node.ints(batched ? "directions" : "scan_input_directions", default: [Int](repeating: 0, count: scanCount))
        let inputAxes = batched ? [Int](repeating: 0, count: scanCount) : try node.ints("scan_input_axes", default: [Int](repeating: 0, count: scanCount))
        let outputDirections = batched ? [Int](repeating: 0, count: outputCount)
            : try node.ints("scan_output_directions", default: [Int](repeating: 0, count: outputCount))
        let outputAxes = batched ? [Int](repeating: 0, count: outputCount)
            : try node.ints("scan_output_axes", default: [Int](repeating: 0, count: outputCount))
        guard inputDirections.count == scanCount, inputAxes.count == scanCount, outputDirections.count == outputCount,
              outputAxes.count == outputCount,
              (inputDirections + outputDirections).allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw InferError(.invalidModel, "scan axes/directions need one entry per scan input/output, directions 0 or 1")
        }
        let core = ScanCore(body: body, stateCount: stateCount, inputAxes: inputAxes, inputReversed: inputDirections.map { $0 == 1 },
                            outputAxes: outputAxes, outputReversed: outputDirections.map { $0 == 1 }, node: node, opset: opset)
        return { inputs, scope in
            var values: [Tensor] = []
            for k in first..<node.inputs.count {
                guard k < inputs.count, let t = inputs[k] else { throw core.fail(.invalidModel, "input \(k) is missing") }
                values.append(t)
            }
            guard batched else { return try core.run(states: Array(values[..<stateCount]), scans: Array(values[stateCount...]), length: nil, scope: scope) }
            // Scan-8: axis 0 of every input is a batch; each batch entry is scanned on its own.
            guard let batch = values.first?.shape.first, values.allSatisfy({ $0.rank >= 1 && $0.shape[0] == batch }) else {
                throw core.fail(.invalidShape, "every input needs the same batch size on axis 0")
            }
            var lengths: [Int]? = nil
            if let lens = inputs.first ?? nil {
                guard lens.dtype == .int32 || lens.dtype == .int64, lens.count == batch else {
                    throw core.fail(.invalidShape, "sequence_lens must hold \(batch) integers")
                }
                lengths = lens.intValues()
            }
            var perBatch: [[Tensor]] = []
            for b in 0..<batch {
                let slices = values.map { slice($0, axis: 0, index: b) }
                perBatch.append(try core.run(states: Array(slices[..<stateCount]), scans: Array(slices[stateCount...]),
                                             length: lengths?[b], scope: scope))
            }
            return try (0..<(stateCount + outputCount)).map { k in
                try stack(perBatch.map { $0[k] }, emptyType: graph.outputs[k].type, fail: core.fail)
            }
        }
    }

    /// One slice along `axis` (a view when the axis is outermost).
    static func slice(_ t: Tensor, axis: Int, index: Int) -> Tensor {
        let outer = t.shape[..<axis].reduce(1, *), length = t.shape[axis]
        let innerBytes = t.shape[(axis + 1)...].reduce(1, *) * t.dtype.byteSize
        var shape = t.shape
        shape.remove(at: axis)
        if outer == 1 {
            return Tensor(dtype: t.dtype, shape: shape, storage: t.storage, byteOffset: t.byteOffset + index * innerBytes)
        }
        let result = Tensor(zeros: t.dtype, shape: shape)
        AxisSlices.extract(from: t.rawPointer, into: result.mutableRawPointer, outer: outer, axisLength: length,
                           innerBytes: innerBytes, index: index)
        return result
    }
}

/// Scan-9+ semantics on unbatched inputs (Scan-8 calls it once per batch entry).
struct ScanCore {
    let body: Program
    let stateCount: Int
    let inputAxes: [Int]
    let inputReversed: [Bool]
    let outputAxes: [Int]
    let outputReversed: [Bool]
    let node: Node
    let opset: Int

    func fail(_ kind: InferError.Kind, _ message: String) -> InferError { InferError.at(node, opset: opset, kind, message) }

    /// `length`: Scan-8's sequence length for this batch entry (steps past it leave zeros).
    func run(states initial: [Tensor], scans: [Tensor], length: Int?, scope: [String: Tensor]) throws -> [Tensor] {
        let graph = body.model.graph
        var axes: [Int] = []
        var sequence: Int? = nil
        for (j, t) in scans.enumerated() {
            var axis = inputAxes[j]
            if axis < 0 { axis += t.rank }
            guard axis >= 0, axis < t.rank else { throw fail(.invalidShape, "scan_input_axes[\(j)] = \(inputAxes[j]) is out of range for rank \(t.rank)") }
            if let s = sequence, s != t.shape[axis] {
                throw fail(.invalidShape, "scan inputs disagree on the sequence length (\(s) vs \(t.shape[axis]))")
            }
            sequence = t.shape[axis]
            axes.append(axis)
        }
        let full = sequence ?? 0
        let steps = length ?? full
        guard steps >= 0, steps <= full else { throw fail(.invalidShape, "sequence length \(steps) is outside 0...\(full)") }
        try ResourceLimits.current.checkLoopIterations(steps, "the scan would run", at: CheckedDims(node: node, opset: opset))
        let names = graph.inputs.map(\.name)
        var states = initial
        let outputCount = graph.outputs.count - stateCount
        var outputs = [Tensor?](repeating: nil, count: outputCount)
        var outputLayout = [(outer: Int, innerBytes: Int, shape: [Int])](repeating: (0, 0, []), count: outputCount)
        for t in 0..<steps {
            try ResourceLimits.checkDeadline(at: CheckedDims(node: node, opset: opset))
            var feeds: [String: Tensor] = [:]
            for k in 0..<stateCount { feeds[names[k]] = states[k] }
            for (j, input) in scans.enumerated() {
                feeds[names[stateCount + j]] = ControlFlowLowering.slice(input, axis: axes[j], index: inputReversed[j] ? steps - 1 - t : t)
            }
            let out = try ControlFlowLowering.run(body, feeds, scope: scope)
            states = Array(out[..<stateCount])
            for k in 0..<outputCount {
                let element = out[stateCount + k]
                if outputs[k] == nil {
                    var axis = outputAxes[k]
                    if axis < 0 { axis += element.rank + 1 }
                    guard axis >= 0, axis <= element.rank else {
                        throw fail(.invalidShape, "scan_output_axes[\(k)] = \(outputAxes[k]) is out of range for rank \(element.rank + 1)")
                    }
                    var shape = element.shape
                    shape.insert(full, at: axis)
                    outputs[k] = try Tensor.zeros(element.dtype, shape: shape)
                    outputLayout[k] = (element.shape[..<axis].reduce(1, *), element.shape[axis...].reduce(1, *) * element.dtype.byteSize, element.shape)
                }
                let layout = outputLayout[k]
                guard element.shape == layout.shape, element.dtype == outputs[k]!.dtype else {
                    throw fail(.invalidShape, "scan output \(k) changes shape between iterations (\(layout.shape) vs \(element.shape))")
                }
                AxisSlices.insert(from: element.rawPointer, into: outputs[k]!.mutableRawPointer, outer: layout.outer,
                                  axisLength: full, innerBytes: layout.innerBytes, index: outputReversed[k] ? steps - 1 - t : t)
            }
        }
        var result = states
        for k in 0..<outputCount {
            if let o = outputs[k] { result.append(o); continue }
            // No iteration ran: an empty scan output of the declared type.
            let declared = graph.outputs[stateCount + k].type
            var shape = declared.staticDims ?? []
            var axis = outputAxes[k]
            if axis < 0 { axis += shape.count + 1 }
            shape.insert(full, at: min(max(axis, 0), shape.count))
            result.append(try Tensor.zeros(declared.dtype, shape: shape))
        }
        return result
    }
}
