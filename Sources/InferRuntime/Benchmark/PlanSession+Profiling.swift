import InferIR

/// The profiled twin of `PlanSession.run`: the same work, with each step timed. Kept as a
/// separate loop so the normal `run` carries no timing calls and no per-step branch.
extension PlanSession {
    /// Runs like `run` and writes one span per plan step (output memset + kernel) into `spans`
    /// (cleared first; its capacity is reused across calls).
    package func runProfiled(_ feeds: [String: Tensor], into spans: inout [StepSpan]) throws -> [String: Tensor] {
        spans.removeAll(keepingCapacity: true)
        loadInputs(feeds)
        for (kernel, context) in zip(kernels, contexts) {
            let start = MonotonicClock.nanoseconds()
            for out in context.outputs where out.byteCount > 0 {
                out.mutableRawPointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.byteCount)
            }
            try kernel()
            spans.append(StepSpan(start: start, end: MonotonicClock.nanoseconds()))
        }
        var result: [String: Tensor] = [:]
        for (name, view) in outputViews { result[name] = view.copy() }
        return result
    }

    /// The nodes in step order (what `runProfiled`'s spans refer to).
    package var stepNodes: [Node] { plan.steps.map(\.node) }
}
