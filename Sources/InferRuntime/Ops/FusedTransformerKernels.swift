import InferIR
import InferKernels

/// Runtime bindings for the fused ops (domain `swiftinfer`) of the FusedTransformer family.
package enum FusedTransformerKernels {
    package static let bindings: [KernelBinding] = []
}
