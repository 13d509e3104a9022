import InferIR
import InferKernels

/// Runtime bindings for the Normalization family: attributes in, `InferKernels` calls out.
package enum NormalizationKernels {
    package static let bindings: [KernelBinding] = []
}
