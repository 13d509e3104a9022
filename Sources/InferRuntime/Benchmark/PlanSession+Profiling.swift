import InferIR

/// `PlanSession.run` with each step timed: the same input load, the same `runStep` per step
/// (output fills included) and the same output copies, with a clock read around each step.
extension PlanSession {
    /// Runs like `run` and writes one span per plan step into `spans` (cleared first; its
    /// capacity is reused across calls).
    package func runProfiled(_ feeds: [String: Tensor], into spans: inout [StepSpan]) throws -> [String: Tensor] {
        spans.removeAll(keepingCapacity: true)
        loadInputs(feeds)
        var i = 0
        while i < stepCount {
            let start = MonotonicClock.nanoseconds()
            try runStep(i)
            spans.append(StepSpan(start: start, end: MonotonicClock.nanoseconds()))
            i += 1
        }
        return copyOutputs()
    }

    /// The nodes in step order (what `runProfiled`'s spans refer to).
    package var stepNodes: [Node] { plan.steps.map(\.node) }
}
