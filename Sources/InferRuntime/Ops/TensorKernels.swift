import InferIR
import InferKernels

/// Runtime bindings for the Tensor family: attributes in, `InferKernels` calls out.
package enum TensorKernels {
    package static let bindings: [KernelBinding] = []
}
