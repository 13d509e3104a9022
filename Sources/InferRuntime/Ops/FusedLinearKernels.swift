import InferIR
import InferKernels

/// Runtime bindings for the fused ops (domain `swiftinfer`) of the FusedLinear family.
package enum FusedLinearKernels {
    package static let bindings: [KernelBinding] = []
}
