import InferIR

/// One caller's arena for a `Program`, with the kernel of every prepared step built over it,
/// and the one run loop. Not thread-safe: one run at a time (the engine pools sessions).
package final class ProgramSession: @unchecked Sendable {
    package let program: Program
    private let arena: TensorStorage
    /// Per step: its prepared kernel, nil for a step that sizes its outputs at run time.
    private let kernels: [PreparedKernel?]
    /// Per step, the output byte ranges cleared before its prepared kernel runs (computed once):
    /// zeros for kernels that accumulate, 0xFF bytes when `OutputPoisoning` is on.
    private let outputFills: [[(pointer: UnsafeMutableRawPointer, byteCount: Int, byte: UInt8)]]
    /// Per step, its input tensors with arena and constant slots resolved (registers: nil).
    private let fixedInputs: [[Tensor?]]

    /// Stands in for an omitted output before a present one (`Attention`'s `[Y, "", "", qk]`), so
    /// `ctx.outputs[k]` stays output k; kernels check `node.outputs[k].isEmpty` before writing.
    static let omittedOutput = Tensor(zeros: .float32, shape: [0])

    package init(program: Program) throws {
        self.program = program
        let arena = TensorStorage(byteCount: program.memory.arenaBytes)
        self.arena = arena
        func tensor(_ slot: Program.Slot) -> Tensor? {
            switch slot {
            case .constant(let t): t
            case .arena(let offset, let dtype, let shape): Tensor(dtype: dtype, shape: shape, storage: arena, byteOffset: offset)
            case .register: nil
            }
        }
        fixedInputs = program.steps.map { $0.inputs.map { $0.flatMap(tensor) } }
        var kernels: [PreparedKernel?] = []
        var fills: [[(pointer: UnsafeMutableRawPointer, byteCount: Int, byte: UInt8)]] = []
        for (i, step) in program.steps.enumerated() {
            guard step.isPrepared else { kernels.append(nil); fills.append([]); continue }
            let context = KernelContext(node: step.node, opset: step.opset, inputs: fixedInputs[i],
                                        outputs: step.outputs.map { $0.flatMap(tensor) ?? Self.omittedOutput },
                                        threads: program.threads,
                                        fixedInputs: step.inputs.map { if case .arena? = $0 { false } else { true } })
            if step.runner != nil {
                kernels.append(try NestedProgramStep.prepare(step, context, outerValues: step.outerReads.map { ($0.name, tensor($0.slot)!) }))
            } else {
                kernels.append(try step.kernel.prepared(for: context))
            }
            let byte: UInt8? = step.kernel.needsZeroedOutputs ? 0 : (OutputPoisoning.enabled ? 0xFF : nil)
            fills.append(byte.map { byte in context.outputs.filter { $0.byteCount > 0 }.map { ($0.mutableRawPointer, $0.byteCount, byte) } } ?? [])
        }
        self.kernels = kernels
        outputFills = fills
    }

    /// Runs on feeds the caller validated (`Engine.run` checks them once, against the model's
    /// signature). Returns fresh tensors: an arena output is copied out.
    package func run(_ feeds: [String: Tensor], outerScope: [String: Tensor]? = nil) throws -> [String: Tensor] {
        try execute(feeds, outerScope: outerScope, timing: nil)
    }

    /// `run`, with each step's span appended to `spans` (cleared first; its capacity is reused).
    /// The same loop: a clock read around each step is its only difference.
    package func runProfiled(_ feeds: [String: Tensor], into spans: inout [StepSpan]) throws -> [String: Tensor] {
        spans.removeAll(keepingCapacity: true)
        // An optional closure escapes, so it cannot capture `spans` itself: it appends through a pointer.
        return try withUnsafeMutablePointer(to: &spans) { spans in
            try execute(feeds, outerScope: nil) { start, end in spans.pointee.append(StepSpan(start: start, end: end)) }
        }
    }

    /// The one run loop; `timing`, when given, receives each step's start and end (one branch per step).
    private func execute(_ feeds: [String: Tensor], outerScope: [String: Tensor]?,
                         timing: ((_ start: UInt64, _ end: UInt64) -> Void)?) throws -> [String: Tensor] {
        let program = self.program
        var registers = [Tensor?](repeating: nil, count: program.registerCount)
        if let outerScope {
            for (name, r) in program.outerRegisters { registers[r] = outerScope[name] }
        }
        for (name, slot, fallback) in program.inputs {
            guard let t = feeds[name] ?? fallback else { continue }   // validation guarantees required inputs are fed
            switch slot {
            case .register(let r): registers[r] = t
            case .arena(let offset, _, _):
                if t.byteCount > 0 { (arena.base + offset).copyMemory(from: t.rawPointer, byteCount: t.byteCount) }
            case .constant: break
            }
        }
        var i = 0
        while i < kernels.count {   // no Range iterator: debug builds allocate for it
            let step = program.steps[i]
            // Subgraph bodies are finite; Loop and Scan check the deadline per iteration themselves.
            if outerScope == nil { try ResourceLimits.checkDeadline(at: CheckedDims(node: step.node, opset: step.opset)) }
            let start = timing == nil ? 0 : MonotonicClock.nanoseconds()
            if kernels[i] != nil {
                try runPreparedStep(i)
            } else {
                try runSizingOutputs(step, fixedInputs[i], &registers)
            }
            for r in step.releases { registers[r] = nil }
            if let timing { timing(start, MonotonicClock.nanoseconds()) }
            i += 1
        }
        var result = [String: Tensor](minimumCapacity: program.outputs.count)
        for (name, slot) in program.outputs {
            switch slot {
            case .register(let r):
                guard let t = registers[r] else { throw InferError(.invalidModel, "graph output \"\(name)\" was not computed") }
                result[name] = t
            case .arena(let offset, let dtype, let shape):
                result[name] = Tensor(dtype: dtype, shape: shape, storage: arena, byteOffset: offset).copy()
            case .constant(let t): result[name] = t
            }
        }
        return result
    }

    /// A step that is not prepared: its outputs are sized from the actual inputs (or made by its
    /// subgraph runner), kept in registers, or copied into their arena slots when planned.
    private func runSizingOutputs(_ step: Program.Step, _ fixed: [Tensor?], _ registers: inout [Tensor?]) throws {
        var inputs = fixed
        for (k, slot) in step.inputs.enumerated() {
            guard case .register(let r)? = slot else { continue }
            guard let t = registers[r] else {
                throw InferError.at(step.node, opset: step.opset, .invalidModel, "input \"\(step.node.inputs[k])\" has no value")
            }
            inputs[k] = t
        }
        let outputs: [Tensor]
        if let runner = step.runner {
            var scope: [String: Tensor] = [:]
            for (name, slot) in step.outerReads {
                switch slot {
                case .register(let r):
                    guard let t = registers[r] else {
                        throw InferError.at(step.node, opset: step.opset, .invalidModel, "a subgraph reads \"\(name)\", which has no value")
                    }
                    scope[name] = t
                case .constant(let t): scope[name] = t
                case .arena(let offset, let dtype, let shape): scope[name] = Tensor(dtype: dtype, shape: shape, storage: arena, byteOffset: offset)
                }
            }
            outputs = try runner(inputs, scope)
        } else {
            outputs = try NodeExecution.run(step.node, opset: step.opset, schema: step.schema, kernel: step.kernel,
                                            inputs: inputs, threads: program.threads)
        }
        for (k, slot) in step.outputs.enumerated() where k < outputs.count {
            switch slot {
            case .register(let r)?: registers[r] = outputs[k]
            case .arena(let offset, let dtype, let shape)?:
                let t = outputs[k]
                guard t.dtype == dtype, t.shape == shape else {
                    throw Program.PlannedShapeMismatch(description: "\(step.node.locationDescription(opset: step.opset)) output \"\(step.node.outputs[k])\" is \(t.dtype) \(t.shape), but shape inference planned \(dtype) \(shape)")
                }
                if t.byteCount > 0 { (arena.base + offset).copyMemory(from: t.rawPointer, byteCount: t.byteCount) }
            case .constant?, nil: break
            }
        }
    }

    package var stepCount: Int { kernels.count }

    /// Runs prepared step `i`: clears the outputs of a kernel that accumulates, then computes.
    /// (Tests call it alone to attribute allocations to steps.)
    package func runPreparedStep(_ i: Int) throws {
        guard let kernel = kernels[i] else { throw InferError(.invalidModel, "step \(i) is not prepared") }
        let fills = outputFills[i]
        for k in 0..<fills.count {
            fills[k].pointer.initializeMemory(as: UInt8.self, repeating: fills[k].byte, count: fills[k].byteCount)
        }
        try kernel()
    }

    /// The nodes in step order (what `runProfiled`'s spans refer to).
    package var stepNodes: [Node] { program.steps.map(\.node) }
}
