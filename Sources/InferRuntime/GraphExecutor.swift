import InferIR

/// Runs a graph node by node in topological order: the reference path, and what `-O0` runs.
/// Built once per model (every node resolved to its kernel, values numbered into slots);
/// `run` then only moves tensors between slots and frees each value after its last use.
///
/// Nodes with subgraphs (If/Loop/Scan) run through their binding's `SubgraphRunner`, built here
/// once per node (it holds nested executors over the subgraphs); the values of this scope the
/// subgraphs read are handed to it by name. A nested executor is built with `outerScope`: the
/// names of enclosing values its graph may read, fed to `run(_:outerScope:)`.
package final class GraphExecutor: @unchecked Sendable {
    struct Step {
        let node: Node
        let opset: Int
        let schema: OperatorSchema
        let kernel: KernelBinding
        let inputSlots: [Int?]
        let outputSlots: [Int?]
        /// Slots whose last reader is this step: released after it runs.
        var releases: [Int]
        /// Control flow: the runner and the values of this scope its subgraphs read.
        var runner: SubgraphRunner? = nil
        var implicitInputs: [(name: String, slot: Int)] = []
    }

    package let model: Model
    let steps: [Step]
    let slotCount: Int
    let inputSlots: [(info: ValueInfo, slot: Int)]
    let outputSlots: [(name: String, slot: Int)]
    let constants: [(slot: Int, tensor: Tensor)]
    /// Enclosing-scope values this graph reads, filled from `run`'s `outerScope`.
    let outerSlots: [(name: String, slot: Int)]
    package let threads: Int

    package init(model: Model, threads: Int = 1, outerScope: Set<String> = []) throws {
        self.model = model
        self.threads = threads
        let graph = model.graph
        let order = try Verifier.verify(graph, outerScope: outerScope)
        var slotOf: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            if let s = slotOf[name] { return s }
            slotOf[name] = slotOf.count
            return slotOf.count - 1
        }
        // A graph input with an initializer of the same name: the initializer is its default,
        // and a fed value overrides it (see `run`).
        constants = graph.initializers.sorted { $0.key < $1.key }.map { (slot($0.key), $0.value) }
        inputSlots = graph.inputs.map { ($0, slot($0.name)) }
        var steps: [Step] = []
        for node in order {
            guard let opset = model.opset(for: node) else {
                throw InferError.at(node, opset: nil, .unsupportedOperator, "domain \"\(node.domain)\" is not imported by the model")
            }
            guard let schema = OperatorRegistry.schema(for: node), let kernel = LoweringTable.binding(for: node) else {
                throw InferError.at(node, opset: opset, .unsupportedOperator, "operator is not supported")
            }
            guard opset >= schema.sinceVersion else {
                throw InferError.at(node, opset: opset, .unsupportedOperator, "opsets before \(schema.sinceVersion) are not supported for this operator")
            }
            var step = Step(node: node, opset: opset, schema: schema, kernel: kernel,
                            inputSlots: node.inputs.map { $0.isEmpty ? nil : slot($0) },
                            outputSlots: node.outputs.map { $0.isEmpty ? nil : slot($0) },
                            releases: [])
            if let make = kernel.makeSubgraphRunner {
                do {
                    step.runner = try make(node, opset, model.opsetImports, threads)
                } catch let error as InferError {
                    throw InferError.at(node, opset: opset, error.kind, error.message)
                }
                step.implicitInputs = node.outerReferences.map { ($0, slot($0)) }
            }
            steps.append(step)
        }

        outputSlots = graph.outputs.map { ($0.name, slot($0.name)) }
        // Names read but defined by no node, input or initializer here come from the enclosing scope.
        let local = graph.definedNames
        outerSlots = slotOf.keys.filter { !local.contains($0) && outerScope.contains($0) }.sorted().map { ($0, slotOf[$0]!) }
        // Liveness: a slot is dropped after its last reader (slots are per run, so dropping
        // a constant or a caller's input only releases this run's reference); outputs stay.
        let keep = Set(outputSlots.map(\.slot))
        var lastReader: [Int: Int] = [:]
        for (i, step) in steps.enumerated() {
            for case let s? in step.inputSlots { lastReader[s] = i }
            for (_, s) in step.implicitInputs { lastReader[s] = i }
            for case let s? in step.outputSlots where lastReader[s] == nil { lastReader[s] = i }
        }
        for (s, i) in lastReader where !keep.contains(s) { steps[i].releases.append(s) }
        self.steps = steps
        slotCount = slotOf.count
    }

    /// Runs the graph on feeds the caller validated (`Engine.run` checks them once, against the
    /// signature of the model as imported, before choosing this executor or a static plan). A
    /// nested executor (a subgraph body) gets the enclosing values it reads in `outerScope`.
    package func run(_ feeds: [String: Tensor], outerScope: [String: Tensor]? = nil) throws -> [String: Tensor] {
        try execute(feeds, outerScope: outerScope, timing: nil)
    }

    /// `run`, with each step's span (shape inference, output allocation and kernel: what a node
    /// costs on this path) appended to `spans` (cleared first; its capacity is reused).
    package func runProfiled(_ feeds: [String: Tensor], into spans: inout [StepSpan]) throws -> [String: Tensor] {
        spans.removeAll(keepingCapacity: true)
        // An optional closure escapes, so it cannot capture `spans` itself: it appends through a pointer.
        return try withUnsafeMutablePointer(to: &spans) { spans in
            try execute(feeds, outerScope: nil) { start, end in spans.pointee.append(StepSpan(start: start, end: end)) }
        }
    }

    /// The nodes in execution order (what `runProfiled`'s spans refer to).
    package var stepNodes: [Node] { steps.map(\.node) }

    /// The one run loop; `timing`, when given, receives each step's start and end (one branch per step).
    private func execute(_ feeds: [String: Tensor], outerScope: [String: Tensor]?,
                         timing: ((_ start: UInt64, _ end: UInt64) -> Void)?) throws -> [String: Tensor] {
        var slots = [Tensor?](repeating: nil, count: slotCount)
        for (s, t) in constants { slots[s] = t }
        if let outerScope {
            for (name, s) in outerSlots { slots[s] = outerScope[name] }
        }
        for (info, s) in inputSlots {
            if let t = feeds[info.name] { slots[s] = t }
        }
        for step in steps {
            // Subgraph bodies are finite; Loop and Scan check the deadline per iteration themselves.
            if outerScope == nil { try ResourceLimits.checkDeadline(at: CheckedDims(node: step.node, opset: step.opset)) }
            let start = timing == nil ? 0 : MonotonicClock.nanoseconds()
            let inputs = step.inputSlots.map { $0.flatMap { slots[$0] } }
            for (k, s) in step.inputSlots.enumerated() where s != nil && inputs[k] == nil {
                throw InferError.at(step.node, opset: step.opset, .invalidModel, "input \"\(step.node.inputs[k])\" has no value")
            }
            let outputs: [Tensor]
            if let runner = step.runner {
                var scope: [String: Tensor] = [:]
                for (name, s) in step.implicitInputs {
                    guard let t = slots[s] else {
                        throw InferError.at(step.node, opset: step.opset, .invalidModel, "a subgraph reads \"\(name)\", which has no value")
                    }
                    scope[name] = t
                }
                outputs = try runner(inputs, scope)
            } else {
                outputs = try NodeExecution.run(step.node, opset: step.opset, schema: step.schema, kernel: step.kernel,
                                                inputs: inputs, threads: threads)
            }
            for (k, s) in step.outputSlots.enumerated() where s != nil && k < outputs.count { slots[s!] = outputs[k] }
            for s in step.releases { slots[s] = nil }
            if let timing { timing(start, MonotonicClock.nanoseconds()) }
        }
        var result: [String: Tensor] = [:]
        for (name, s) in outputSlots {
            guard let t = slots[s] else { throw InferError(.invalidModel, "graph output \"\(name)\" was not computed") }
            result[name] = t
        }
        return result
    }
}
