import InferIR
import InferOptimizer

/// The one executable form of a model: its nodes in execution order as steps over value slots.
///
/// A value's slot says where it lives while the program runs:
/// - a planned range of the session's arena, when shape inference fixed its shape for this
///   input binding (view ops — Reshape, Flatten, Squeeze, Unsqueeze, Identity, inference
///   Dropout — share their input's range and are no step at all);
/// - an initializer;
/// - a register holding a tensor made at run time, when its shape is only known then (NonZero's
///   output, an If whose branches disagree, every value of a `.dynamic` program).
///
/// A step whose inputs and outputs are all arena or constant is *prepared*: its kernel context is
/// built once per session and a run allocates nothing for it. Any other step infers its output
/// shapes and allocates them when it runs (`NodeExecution`). So a model with one data-dependent
/// shape keeps its arena everywhere else. Control flow is a step whose runner executes nested
/// `.dynamic` programs over the subgraphs (`NestedProgramStep` when its outputs are planned).
///
/// `ProgramSession` owns an arena and runs the steps; a `Program` is immutable and shared.
package final class Program: @unchecked Sendable {
    package enum Slot: Sendable {
        case arena(offset: Int, dtype: DType, shape: [Int])
        case constant(Tensor)
        case register(Int)

        var isRegister: Bool { if case .register = self { true } else { false } }
    }

    /// How values get slots.
    package enum Layout: Sendable {
        /// Shape inference runs on the model as given; every value with a static shape is planned
        /// into the arena. What `-O1`/`-O2` run, built once per concrete input binding.
        case planned
        /// Every computed value is a register: the `-O0` reference path (nothing planned, each
        /// node sized from its actual inputs) and the bodies of If/Loop/Scan, whose shapes may
        /// change from one iteration to the next.
        case dynamic
    }

    package struct Step: @unchecked Sendable {
        package let node: Node
        package let opset: Int
        let schema: OperatorSchema
        package let kernel: KernelBinding
        /// Per node input; nil for an omitted optional input.
        package let inputs: [Slot?]
        /// Per positional output (trailing omitted ones dropped); nil for an omitted one.
        package let outputs: [Slot?]
        /// Control flow: the values of this graph its subgraphs read, by name, and its runner.
        let outerReads: [(name: String, slot: Slot)]
        let runner: SubgraphRunner?
        /// Registers whose last reader is this step: released after it runs.
        let releases: [Int]

        /// Every input, output and outer read in the arena or constant: the session prepares
        /// the kernel once, over fixed buffers.
        package var isPrepared: Bool {
            !inputs.contains { $0?.isRegister == true } && !outputs.contains { $0?.isRegister == true }
                && !outerReads.contains { $0.slot.isRegister }
        }
    }

    /// A result whose dtype or shape differs from the arena slot shape inference planned for it
    /// (a control-flow body whose declared output types are wrong, say). Never truncated or padded
    /// into the slot: the engine reruns these inputs on its `.dynamic` program.
    package struct PlannedShapeMismatch: Error, CustomStringConvertible {
        package let description: String
    }

    package let model: Model
    package let layout: Layout
    /// Threads each kernel may use.
    package let threads: Int
    package let steps: [Step]
    /// Graph inputs; `default` is the initializer of the same name, if any, used when the caller
    /// does not feed the input (the optimizer folds such defaults before a planned program is
    /// built, so this matters for unoptimized models).
    let inputs: [(name: String, slot: Slot, default: Tensor?)]
    let outputs: [(name: String, slot: Slot)]
    /// Values of enclosing scopes this graph (a subgraph body) reads, filled from `outerScope`.
    let outerRegisters: [(name: String, register: Int)]
    let registerCount: Int
    package let memory: MemoryPlanner.Plan
    /// Why some steps are not prepared: the first value whose shape is only known at run time.
    package let dynamicReason: String?

    /// Steps that size their outputs at run time.
    package var dynamicStepCount: Int { steps.reduce(0) { $0 + ($1.isPrepared ? 0 : 1) } }

    /// `outerScope`: the names of enclosing values a subgraph body may read.
    package init(model: Model, layout: Layout, threads: Int = 1, outerScope: Set<String> = []) throws {
        var typed = model
        if layout == .planned { try ShapeInference.run(&typed, evaluate: NodeExecution.constantEvaluator) }
        self.model = typed
        self.layout = layout
        self.threads = threads
        let graph = typed.graph
        let order = try Verifier.verify(graph, outerScope: outerScope)

        // Static shapes, planned layout only. A graph input with an initializer of the same name
        // (its default) is a slot too, so a fed value can replace it.
        let inputNames = Set(graph.inputs.map(\.name))
        func plannedType(_ name: String) -> (DType, [Int])? {
            guard layout == .planned else { return nil }
            if let t = graph.initializers[name] { return inputNames.contains(name) ? (t.dtype, t.shape) : nil }
            let type = graph.valueInfo[name] ?? graph.inputs.first { $0.name == name }?.type
            guard let type, let dims = type.staticDims else { return nil }
            return (type.dtype, dims)
        }
        var firstDynamic: String?

        // 1. Storage: an arena buffer per planned value (views join their input's), a register
        //    per other computed value. Step indices start at 1: graph inputs are written at 0.
        var bufferOf: [String: Int] = [:], registerOf: [String: Int] = [:]
        var buffers: [MemoryPlanner.Buffer] = []
        func define(_ name: String, at step: Int) throws {
            if let (dtype, dims) = plannedType(name) {
                bufferOf[name] = buffers.count
                buffers.append(.init(firstUse: step, lastUse: step,
                                     size: try CheckedDims.unlocated.byteCount(dtype, dims, "value \"\(name)\"")))
            } else if graph.initializers[name] == nil || inputNames.contains(name) {
                if layout == .planned && firstDynamic == nil {
                    firstDynamic = "value \"\(name)\" has no static shape (\((graph.valueInfo[name] ?? graph.inputs.first { $0.name == name }?.type)?.description ?? "unknown"))"
                }
                registerOf[name] = registerOf.count
            }
        }
        func read(_ name: String, at step: Int) {
            if let b = bufferOf[name] { buffers[b].lastUse = max(buffers[b].lastUse, step) }
            else if registerOf[name] == nil, graph.initializers[name] == nil {
                registerOf[name] = registerOf.count   // an enclosing scope's value (checked by the verifier)
            }
        }
        for input in graph.inputs { try define(input.name, at: 0) }
        var running: [(index: Int, node: Node, opset: Int, schema: OperatorSchema, kernel: KernelBinding)] = []
        for node in order {
            guard let opset = typed.opset(for: node) else {
                throw InferError.at(node, opset: nil, .unsupportedOperator, "domain \"\(node.domain)\" is not imported by the model")
            }
            let (schema, kernel) = try LoweringTable.lowering(for: node, opset: opset)
            let index = running.count + 1
            if let source = node.inputs.first, let b = bufferOf[source], node.domain.isEmpty, Self.viewOps.contains(node.opType),
               node.outputs.dropFirst().allSatisfy({ $0.isEmpty || !graph.usedValues.contains($0) }),
               let (outType, _) = plannedType(node.outputs[0]), outType == plannedType(source)?.0 {
                bufferOf[node.outputs[0]] = b
                buffers[b].lastUse = max(buffers[b].lastUse, index)
                continue
            }
            // A control-flow node's subgraphs read enclosing values by name: they live through its step too.
            for name in node.inputs + node.outerReferences where !name.isEmpty { read(name, at: index) }
            for name in node.outputs where !name.isEmpty { try define(name, at: index) }
            running.append((index, node, opset, schema, kernel))
        }
        let endIndex = running.count + 1
        for output in graph.outputs { read(output.name, at: endIndex) }

        let memory = try MemoryPlanner.plan(buffers)
        try ResourceLimits.current.checkArena(bytes: memory.arenaBytes, "the static plan")
        self.memory = memory
        dynamicReason = firstDynamic

        // 2. Slots, and the last reader of every register (graph outputs are kept).
        func slot(_ name: String) throws -> Slot {
            if let b = bufferOf[name] {
                let (dtype, dims) = plannedType(name)!
                return .arena(offset: memory.offsets[b], dtype: dtype, shape: dims)
            }
            if let r = registerOf[name] { return .register(r) }
            guard let t = graph.initializers[name] else { throw InferError(.invalidModel, "value \"\(name)\" is not defined") }
            return .constant(t)
        }
        var lastReader: [Int: Int] = [:]
        for (i, entry) in running.enumerated() {
            for name in entry.node.inputs + entry.node.outerReferences + entry.node.outputs where !name.isEmpty {
                if let r = registerOf[name] { lastReader[r] = i }
            }
        }
        let kept = Set(graph.outputs.compactMap { registerOf[$0.name] })
        var releases = [[Int]](repeating: [], count: running.count)
        for (r, i) in lastReader where !kept.contains(r) { releases[i].append(r) }

        steps = try running.enumerated().map { i, entry in
            let node = entry.node
            var runner: SubgraphRunner?
            if let make = entry.kernel.makeSubgraphRunner {
                do {
                    runner = try make(node, entry.opset, typed.opsetImports, threads)
                } catch let error as InferError {
                    throw InferError.at(node, opset: entry.opset, error.kind, error.message)
                }
            }
            return Step(node: node, opset: entry.opset, schema: entry.schema, kernel: entry.kernel,
                        inputs: try node.inputs.map { $0.isEmpty ? nil : try slot($0) },
                        outputs: try Self.positionalOutputs(node).map { $0.isEmpty ? nil : try slot($0) },
                        outerReads: try node.outerReferences.map { ($0, try slot($0)) },
                        runner: runner, releases: releases[i].sorted())
        }
        inputs = try graph.inputs.map { ($0.name, try slot($0.name), graph.initializers[$0.name]) }
        outputs = try graph.outputs.map { ($0.name, try slot($0.name)) }
        let local = graph.definedNames
        outerRegisters = registerOf.filter { !local.contains($0.key) && outerScope.contains($0.key) }
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        registerCount = registerOf.count
    }

    /// Ops whose output is the input's bytes under another shape.
    static let viewOps: Set<String> = ["Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout"]

    /// A node's output names without the trailing omitted ones.
    static func positionalOutputs(_ node: Node) -> ArraySlice<String> {
        var names = node.outputs[...]
        while names.last?.isEmpty == true { names.removeLast() }
        return names
    }

    /// Runs a `.dynamic` program (nothing to pool: it has no arena or prepared kernels). Safe
    /// from any number of threads. A subgraph body gets the enclosing values it reads in `outerScope`.
    package func run(_ feeds: [String: Tensor], outerScope: [String: Tensor]? = nil) throws -> [String: Tensor] {
        try ProgramSession(program: self).run(feeds, outerScope: outerScope)
    }
}
