import InferIR
import InferKernels

/// Runtime bindings for the Tensor family: attributes in, `InferKernels` calls out.
/// The per-group files are in `Ops/Tensor/`.
package enum TensorKernels {
    package static let bindings: [KernelBinding] =
        ReshapeKernels.bindings
        + LayoutKernels.bindings
        + SliceAndPadKernels.bindings
        + IndexingKernels.bindings
        + GeneratorKernels.bindings
}
