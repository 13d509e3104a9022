import InferIR
import InferKernels

/// Runtime bindings for the Convolution family: attributes in, `InferKernels` calls out.
package enum ConvolutionKernels {
    package static let bindings: [KernelBinding] = []
}
