import InferIR

/// What a kernel binding sees when one node executes: the node and its opset, the input
/// tensors (nil for omitted optional inputs), and output tensors already allocated with the
/// shapes shape inference computed. A binding reads attributes, then calls `InferKernels`.
package struct KernelContext {
    package let node: Node
    package let opset: Int
    package let inputs: [Tensor?]
    package let outputs: [Tensor]
    /// Threads the kernels may use (OpenBLAS is set separately, once per process).
    package let threads: Int
    /// Per input: whether its values are the same on every call of a prepared kernel (a
    /// constant), so `prepare` may read them. nil means all: a step that sizes its outputs at run
    /// time prepares its kernel right before its only call. Prepared steps mark arena inputs false.
    private let fixedInputs: [Bool]?

    package init(node: Node, opset: Int, inputs: [Tensor?], outputs: [Tensor], threads: Int = 1,
                 fixedInputs: [Bool]? = nil) {
        self.node = node
        self.opset = opset
        self.inputs = inputs
        self.outputs = outputs
        self.threads = threads
        self.fixedInputs = fixedInputs
    }

    /// True when `prepare` may read input `i`'s values (see `fixedInputs`); an omitted input is fixed.
    package func inputValuesFixed(_ i: Int) -> Bool {
        guard let fixedInputs, i < fixedInputs.count else { return true }
        return fixedInputs[i]
    }

    /// A required input.
    package func input(_ i: Int) throws -> Tensor {
        guard i < inputs.count, let t = inputs[i] else {
            throw error(.invalidModel, "required input \(i) is missing")
        }
        return t
    }

    /// An optional input (nil when omitted).
    package func optionalInput(_ i: Int) -> Tensor? { i < inputs.count ? inputs[i] : nil }

    package func error(_ kind: InferError.Kind, _ message: String) -> InferError {
        InferError.at(node, opset: opset, kind, message)
    }

    /// The view shape inference had of this node, with every input known: a lowering hands it
    /// to its schema's resolver (`ConvolutionOperators.resolveConv`, Slice bounds, split sizes,
    /// pads, TopK's k, ...) instead of parsing and checking the attributes a second time.
    var shapeContext: ShapeContext {
        ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    }
}

/// A kernel with everything but the arithmetic done: attributes read, shapes checked,
/// strides and offsets computed, pointers resolved. Calling it allocates nothing.
package typealias PreparedKernel = () throws -> Void

/// Runs a node whose attributes hold subgraphs (If/Loop/Scan): given its inputs and the values of
/// the enclosing scopes its subgraphs read (`Node.outerReferences`), returns its outputs, whose
/// shapes are only known once the subgraphs ran. Built once per node with its `Program`.
package typealias SubgraphRunner = (_ inputs: [Tensor?], _ outerScope: [String: Tensor]) throws -> [Tensor]

/// Executes one operator: `run` fills `context.outputs` from `context.inputs`.
///
/// A binding may also offer `prepare`, which does all the per-node work once (static plans call
/// it when a session is created) and returns a `PreparedKernel` that only computes. Steady-state
/// runs of a static plan then allocate nothing on the heap. Bindings without `prepare` still
/// work; they just redo their setup every run.
package struct KernelBinding: Sendable {
    package let opType: String
    package let domain: String
    package let run: @Sendable (KernelContext) throws -> Void
    package let prepare: (@Sendable (KernelContext) throws -> PreparedKernel)?
    /// Control flow: builds the node's `SubgraphRunner` (node, opset, opset imports, threads).
    package let makeSubgraphRunner: (@Sendable (Node, Int, [String: Int], Int) throws -> SubgraphRunner)?
    /// Kernels write every element of every output by default, so a static plan does not clear
    /// outputs before a step. The few that accumulate into their outputs (or leave parts
    /// untouched) say so with `accumulatingIntoOutputs()` and get zero-filled outputs.
    /// `OutputPoisoning` checks the default: with it on, every other output is filled with NaN
    /// bytes before its kernel runs, and the conformance suite must still pass.
    package private(set) var needsZeroedOutputs = false

    package init(_ opType: String, domain: String = "", run: @escaping @Sendable (KernelContext) throws -> Void) {
        self.opType = opType
        self.domain = domain
        self.run = run
        prepare = nil
        makeSubgraphRunner = nil
    }

    /// A control-flow binding: programs run it through the runner it builds, never through `run`.
    package init(_ opType: String, domain: String = "",
                 subgraphRunner: @escaping @Sendable (Node, Int, [String: Int], Int) throws -> SubgraphRunner) {
        self.opType = opType
        self.domain = domain
        prepare = nil
        makeSubgraphRunner = subgraphRunner
        run = { context in
            throw context.error(.unsupportedFeature, "runs only as a program step (it holds subgraphs)")
        }
    }

    private init(opType: String, domain: String, prepare: @escaping @Sendable (KernelContext) throws -> PreparedKernel) {
        self.opType = opType
        self.domain = domain
        self.prepare = prepare
        makeSubgraphRunner = nil
        run = { context in try prepare(context)() }
    }

    /// A binding defined by its preparation; `run` is prepare-then-call.
    /// `KernelBinding.prepared("MatMul") { ctx in /* read attrs, check shapes */ return { /* compute */ } }`
    package static func prepared(_ opType: String, domain: String = "",
                                 _ prepare: @escaping @Sendable (KernelContext) throws -> PreparedKernel) -> KernelBinding {
        KernelBinding(opType: opType, domain: domain, prepare: prepare)
    }

    /// This binding, declared to need zero-filled outputs (see `needsZeroedOutputs`).
    package func accumulatingIntoOutputs() -> KernelBinding {
        var binding = self
        binding.needsZeroedOutputs = true
        return binding
    }

    /// The kernel for a fixed context: prepared once when the binding supports it.
    package func prepared(for context: KernelContext) throws -> PreparedKernel {
        if let prepare { return try prepare(context) }
        let run = self.run
        return { try run(context) }
    }
}
