import InferIR
import InferKernels

/// Runtime bindings for the Reduction family: attributes in, `InferKernels` calls out.
package enum ReductionKernels {
    package static let bindings: [KernelBinding] = []
}
