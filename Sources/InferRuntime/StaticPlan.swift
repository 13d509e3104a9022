import InferIR
import InferOptimizer

/// A lowered program for one concrete input binding: every value's shape is known, every
/// intermediate lives at a planned offset in one arena, and view ops (Reshape, Flatten,
/// Squeeze, Unsqueeze, Identity, inference Dropout) are aliases of their input with no step.
/// A control-flow node whose outputs have static shapes is one step too (`NestedProgramStep`).
/// Immutable and shared; each `PlanSession` owns an arena and runs it.
package final class StaticPlan: @unchecked Sendable {
    /// Where a value lives.
    package enum Location: Sendable {
        case arena(offset: Int, dtype: DType, shape: [Int])
        case constant(Tensor)
    }

    package struct Step: Sendable {
        package let node: Node
        package let opset: Int
        package let kernel: KernelBinding
        package let inputs: [Location?]
        package let outputs: [Location]
        /// Control flow (If, Loop, Scan): the values of this graph its subgraphs read, by name.
        package let outerReads: [(name: String, location: Location)]
    }

    package let steps: [Step]
    /// Graph inputs in arena slots; `default` is the initializer of the same name, if any,
    /// copied in when the caller does not feed the input (the optimizer folds such defaults
    /// before a plan is built, so this matters only for unoptimized models).
    package let inputs: [(name: String, location: Location, default: Tensor?)]
    package let outputs: [(name: String, location: Location)]
    package let memory: MemoryPlanner.Plan
    package let model: Model

    /// Stands in for an omitted output before a present one (`Attention`'s `[Y, "", "", qk]`), so
    /// `ctx.outputs[k]` stays output k; kernels check `node.outputs[k].isEmpty` before writing.
    static let omittedOutput = Tensor(zeros: .float32, shape: [0])

    /// A node's output names without the trailing omitted ones.
    static func positionalOutputs(_ node: Node) -> ArraySlice<String> {
        var names = node.outputs[...]
        while names.last?.isEmpty == true { names.removeLast() }
        return names
    }

    /// Ops whose output is the input's bytes under another shape.
    static let viewOps: Set<String> = ["Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout"]

    /// Why a model cannot be a static plan for these inputs: some value's shape is only known
    /// at run time. Not a user error: the caller runs the model on the dynamic executor instead.
    package struct DataDependentShape: Error, CustomStringConvertible {
        package let description: String
    }

    /// Builds the plan; throws `DataDependentShape` when some value's shape is only known at run
    /// time (the caller then falls back to the dynamic executor), `InferError` for a bad model.
    package init(model: Model) throws {
        var typed = model
        try ShapeInference.run(&typed, evaluate: NodeExecution.constantEvaluator)
        self.model = typed
        let model = typed
        let graph = model.graph
        func staticType(_ name: String) throws -> (DType, [Int]) {
            if let t = graph.initializers[name] { return (t.dtype, t.shape) }
            let type = graph.valueInfo[name] ?? graph.inputs.first { $0.name == name }?.type
            guard let type, let dims = type.staticDims else {
                throw DataDependentShape(description: "value \"\(name)\" has no static shape (\(type?.description ?? "unknown"))")
            }
            return (type.dtype, dims)
        }
        // 1. Buffers: one per graph input and node output; views join their input's buffer.
        var bufferOf: [String: Int] = [:]
        var buffers: [MemoryPlanner.Buffer] = []
        func newBuffer(_ name: String, at step: Int) throws {
            let (dtype, dims) = try staticType(name)
            bufferOf[name] = buffers.count
            buffers.append(.init(firstUse: step, lastUse: step, size: try CheckedDims.unlocated.byteCount(dtype, dims, "value \"\(name)\"")))
        }
        for input in graph.inputs { try newBuffer(input.name, at: 0) }
        var kept: [(Int, Node)] = []   // (step index, node) of nodes that run
        var stepIndex = 1
        for node in graph.nodes {
            guard let opset = model.opset(for: node) else {
                throw InferError.at(node, opset: nil, .unsupportedOperator, "domain \"\(node.domain)\" is not imported")
            }
            _ = opset
            let source = node.inputs.first ?? ""
            if node.domain.isEmpty, Self.viewOps.contains(node.opType), let b = bufferOf[source],
               node.outputs.dropFirst().allSatisfy({ $0.isEmpty || !graph.usedValues.contains($0) }),
               try staticType(source).0 == staticType(node.outputs[0]).0 {
                bufferOf[node.outputs[0]] = b
                buffers[b].lastUse = max(buffers[b].lastUse, stepIndex)
                continue
            }
            // A control-flow node's subgraphs read enclosing values by name: they live through its step too.
            for name in node.inputs + node.outerReferences where !name.isEmpty {
                if let b = bufferOf[name] { buffers[b].lastUse = max(buffers[b].lastUse, stepIndex) }
            }
            for name in node.outputs where !name.isEmpty { try newBuffer(name, at: stepIndex) }
            kept.append((stepIndex, node))
            stepIndex += 1
        }
        for output in graph.outputs {
            if let b = bufferOf[output.name] { buffers[b].lastUse = stepIndex }
        }
        let memory = try MemoryPlanner.plan(buffers)
        try ResourceLimits.current.checkArena(bytes: memory.arenaBytes, "the static plan")
        self.memory = memory
        // 2. Locations: a value's buffer offset with its own shape (views reinterpret).
        func location(_ name: String) throws -> Location {
            if let b = bufferOf[name] {
                let (dtype, dims) = try staticType(name)
                return .arena(offset: memory.offsets[b], dtype: dtype, shape: dims)
            }
            guard let t = graph.initializers[name] else { throw InferError(.invalidModel, "value \"\(name)\" is not defined") }
            return .constant(t)
        }
        steps = try kept.map { _, node in
            let opset = model.opset(for: node)!
            guard let kernel = LoweringTable.binding(for: node) else {
                throw InferError.at(node, opset: opset, .unsupportedOperator, "operator is not supported")
            }
            return Step(node: node, opset: opset, kernel: kernel,
                        inputs: try node.inputs.map { $0.isEmpty ? nil : try location($0) },
                        outputs: try StaticPlan.positionalOutputs(node).map { $0.isEmpty ? .constant(StaticPlan.omittedOutput) : try location($0) },
                        outerReads: try node.outerReferences.map { ($0, try location($0)) })
        }
        inputs = try graph.inputs.map { ($0.name, try location($0.name), graph.initializers[$0.name]) }
        outputs = try graph.outputs.map { ($0.name, try location($0.name)) }
    }
}

/// One caller's arena for a `StaticPlan`, with every kernel context prebuilt over it.
/// Not thread-safe: one run at a time (the engine pools sessions).
package final class PlanSession: @unchecked Sendable {
    package let plan: StaticPlan
    private let arena: TensorStorage
    let contexts: [KernelContext]
    let kernels: [PreparedKernel]
    let inputViews: [(name: String, view: Tensor, default: Tensor?)]
    let outputViews: [(String, Tensor)]
    /// Per step, the output byte ranges cleared before it runs (computed once: no shape math per
    /// run): zeros for kernels that need them, 0xFF bytes when `OutputPoisoning` is on.
    private let outputFills: [[(pointer: UnsafeMutableRawPointer, byteCount: Int, byte: UInt8)]]

    package init(plan: StaticPlan, threads: Int) throws {
        self.plan = plan
        let arena = TensorStorage(byteCount: plan.memory.arenaBytes)
        self.arena = arena
        func view(_ location: StaticPlan.Location) -> Tensor {
            switch location {
            case .constant(let t): return t
            case .arena(let offset, let dtype, let shape): return Tensor(dtype: dtype, shape: shape, storage: arena, byteOffset: offset)
            }
        }
        contexts = plan.steps.map { step in
            KernelContext(node: step.node, opset: step.opset, inputs: step.inputs.map { $0.map(view) },
                          outputs: step.outputs.map(view), threads: threads,
                          fixedInputs: step.inputs.map { location in
                              if case .arena = location { return false } else { return true }
                          })
        }
        kernels = try zip(plan.steps, contexts).map { step, context in
            guard step.kernel.makeSubgraphRunner != nil else { return try step.kernel.prepared(for: context) }
            return try NestedProgramStep.prepare(step, context, outerValues: step.outerReads.map { ($0.name, view($0.location)) },
                                                 opsetImports: plan.model.opsetImports, threads: threads)
        }
        outputFills = zip(plan.steps, contexts).map { step, context in
            let byte: UInt8? = step.kernel.needsZeroedOutputs ? 0 : (OutputPoisoning.enabled ? 0xFF : nil)
            guard let byte else { return [] }
            return context.outputs.filter { $0.byteCount > 0 }.map { ($0.mutableRawPointer, $0.byteCount, byte) }
        }
        inputViews = plan.inputs.map { ($0.name, view($0.location), $0.default) }
        outputViews = plan.outputs.map { ($0.name, view($0.location)) }
    }

    /// Runs with inputs already validated against the plan's shapes; returns fresh output tensors.
    /// Allocates only the result: one dictionary plus, per output, its storage object and bytes.
    package func run(_ feeds: [String: Tensor]) throws -> [String: Tensor] {
        loadInputs(feeds)
        var i = 0
        while i < kernels.count { try runStep(i); i += 1 }   // no Range iterator: debug builds allocate for it
        return copyOutputs()
    }

    /// Fresh tensors holding the outputs' current values: one dictionary plus, per output, its
    /// storage object and bytes.
    func copyOutputs() -> [String: Tensor] {
        var result = [String: Tensor](minimumCapacity: outputViews.count)
        for (name, view) in outputViews { result[name] = view.copy() }
        return result
    }

    /// Copies the caller's inputs (or, for an input not fed, its default) into their arena slots.
    package func loadInputs(_ feeds: [String: Tensor]) {
        for (name, view, fallback) in inputViews {
            guard let t = feeds[name] ?? fallback else { continue }   // validation guarantees required inputs are fed
            if t.byteCount > 0 { view.mutableRawPointer.copyMemory(from: t.rawPointer, byteCount: t.byteCount) }
        }
    }

    package var stepCount: Int { kernels.count }

    /// Runs step `i` alone (`run` calls each in order; tests use it to attribute allocations).
    package func runStep(_ i: Int) throws {
        try ResourceLimits.checkDeadline(at: CheckedDims(node: self.plan.steps[i].node, opset: self.plan.steps[i].opset))
        // Only kernels that accumulate get zeroed outputs (and, under OutputPoisoning, the rest NaN bytes).
        let fills = outputFills[i]
        for k in 0..<fills.count {
            fills[k].pointer.initializeMemory(as: UInt8.self, repeating: fills[k].byte, count: fills[k].byteCount)
        }
        try kernels[i]()
    }
}
