import Foundation
import InferIR

/// Runtime bindings for `SignalOperators`: the cosine-sum windows, computed in Double as the
/// ONNX reference does (`periodic` divides by size, otherwise by size - 1).
package enum SignalLowering {
    package static let bindings: [KernelBinding] = [
        window("HannWindow", [0.5, -0.5]),
        window("HammingWindow", [25.0 / 46.0, -(1 - 25.0 / 46.0)]),
        window("BlackmanWindow", [0.42, -0.5, 0.08]),
    ]

    /// `w[n] = sum_k a[k] cos(2 pi k n / N)`.
    static func window(_ name: String, _ coefficients: [Double]) -> KernelBinding {
        KernelBinding(name) { ctx in
            let out = ctx.outputs[0], size = out.count
            let periodic = try ctx.node.int("periodic", default: 1) != 0
            let denominator = Double(periodic ? size : size - 1)
            let values = (0..<size).map { n in
                coefficients.enumerated().reduce(0.0) { sum, term in
                    sum + term.element * Foundation.cos(2 * Double.pi * Double(term.offset) * Double(n) / denominator)
                }
            }
            try storeDoubles(values, into: out, ctx)
        }
    }
}
