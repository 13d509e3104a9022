import InferIR
import InferKernels

/// Runtime bindings for the LinearAlgebra family: attributes in, `InferKernels` calls out.
package enum LinearAlgebraKernels {
    package static let bindings: [KernelBinding] = []
}
