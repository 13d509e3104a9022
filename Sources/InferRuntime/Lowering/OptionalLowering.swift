import InferIR

/// Runtime bindings for `OptionalOperators`: inputs are plain tensors or omitted.
package enum OptionalLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("OptionalHasElement") { ctx in
            ctx.outputs[0].pointer(as: Bool.self).pointee = ctx.optionalInput(0) != nil
        },
        KernelBinding("OptionalGetElement") { ctx in copyContents(try ctx.input(0), into: ctx.outputs[0]) },
    ]
}
