import InferIR
import InferKernels

/// Reshape, Squeeze, Unsqueeze, Flatten, Identity, Dropout: the output already has its shape,
/// so each is one copy of the bytes (the memory planner turns these into views later).
enum ReshapeLowering {
    static let bindings: [KernelBinding] =
        ["Reshape", "Squeeze", "Unsqueeze", "Flatten", "Identity"].map { op in
            KernelBinding(op) { ctx in copyContents(try ctx.input(0), into: ctx.outputs[0]) }
        } + [
            KernelBinding("Dropout") { ctx in
                copyContents(try ctx.input(0), into: ctx.outputs[0])
                if ctx.outputs.count > 1 {
                    // Inference: nothing is dropped, the mask is all true.
                    let mask = ctx.outputs[1]
                    if mask.count > 0 { mask.mutableRawPointer.initializeMemory(as: UInt8.self, repeating: 1, count: mask.count) }
                }
            },
        ]
}
