import InferIR
import InferKernels

/// Runtime bindings for the Elementwise family: attributes in, `InferKernels` calls out.
package enum ElementwiseKernels {
    package static let bindings: [KernelBinding] = []
}
