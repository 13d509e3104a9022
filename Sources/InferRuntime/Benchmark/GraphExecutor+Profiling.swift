import InferIR

/// The profiled twin of `GraphExecutor.run` (the `-O0` path): each node's shape inference,
/// output allocation and kernel are timed together, as that is what the node costs here.
extension GraphExecutor {
    package func runProfiled(_ feeds: [String: Tensor], into spans: inout [StepSpan]) throws -> [String: Tensor] {
        spans.removeAll(keepingCapacity: true)
        var slots = [Tensor?](repeating: nil, count: slotCount)
        for (s, t) in constants { slots[s] = t }
        try InputValidation.validate(feeds, against: signature)
        for (info, s) in inputSlots {
            if let t = feeds[info.name] { slots[s] = t }
        }
        for step in steps {
            let start = MonotonicClock.nanoseconds()
            let inputs = step.inputSlots.map { $0.flatMap { slots[$0] } }
            for (k, s) in step.inputSlots.enumerated() where s != nil && inputs[k] == nil {
                throw InferError.at(step.node, opset: step.opset, .invalidModel, "input \"\(step.node.inputs[k])\" has no value")
            }
            let outputs = try NodeExecution.run(step.node, opset: step.opset, schema: step.schema, kernel: step.kernel,
                                                inputs: inputs, threads: threads)
            for (k, s) in step.outputSlots.enumerated() where s != nil && k < outputs.count { slots[s!] = outputs[k] }
            for s in step.releases { slots[s] = nil }
            spans.append(StepSpan(start: start, end: MonotonicClock.nanoseconds()))
        }
        var result: [String: Tensor] = [:]
        for (name, s) in outputSlots {
            guard let t = slots[s] else { throw InferError(.invalidModel, "graph output \"\(name)\" was not computed") }
            result[name] = t
        }
        return result
    }

    /// The nodes in execution order (what `runProfiled`'s spans refer to).
    package var stepNodes: [Node] { steps.map(\.node) }
}
