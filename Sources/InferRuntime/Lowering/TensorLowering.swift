import InferIR
import InferKernels

/// Runtime bindings for the Tensor family: attributes in, `InferKernels` calls out.
/// The per-group files are in `Lowering/Tensor/`.
package enum TensorLowering {
    package static let bindings: [KernelBinding] =
        ReshapeLowering.bindings
        + LayoutLowering.bindings
        + SliceAndPadLowering.bindings
        + IndexingLowering.bindings
        + GeneratorLowering.bindings
}
