/// One activation function of a recurrent cell (the ONNX RNN/GRU/LSTM `activations` list),
/// applied in place over a contiguous row so the switch stays outside the element loop.
package struct RecurrentActivation: Sendable, Equatable {
    package enum Kind: String, Sendable, CaseIterable {
        case relu = "Relu", tanh = "Tanh", sigmoid = "Sigmoid", affine = "Affine", leakyRelu = "LeakyRelu"
        case thresholdedRelu = "ThresholdedRelu", scaledTanh = "ScaledTanh", hardSigmoid = "HardSigmoid"
        case elu = "Elu", softsign = "Softsign", softplus = "Softplus"

        /// Whether the function takes `alpha` / `beta` (consumed in order from the attribute lists).
        package var usesAlpha: Bool { [.affine, .leakyRelu, .thresholdedRelu, .scaledTanh, .hardSigmoid, .elu].contains(self) }
        package var usesBeta: Bool { [.affine, .scaledTanh, .hardSigmoid].contains(self) }

        /// ONNX Runtime's defaults when the attribute lists run out.
        package var defaultAlpha: Double {
            switch self {
            case .leakyRelu: 0.01
            case .hardSigmoid: 0.2
            default: 1
            }
        }
        package var defaultBeta: Double {
            switch self {
            case .hardSigmoid: 0.5
            case .scaledTanh: 1
            default: 0
            }
        }
    }

    package let kind: Kind
    package let alpha: Double
    package let beta: Double

    package init(_ kind: Kind, alpha: Double? = nil, beta: Double? = nil) {
        self.kind = kind
        self.alpha = alpha ?? kind.defaultAlpha
        self.beta = beta ?? kind.defaultBeta
    }

    /// Case-insensitive lookup of an ONNX activation name.
    package static func kind(named name: String) -> Kind? {
        Kind.allCases.first { $0.rawValue.lowercased() == name.lowercased() }
    }

    /// p[0..<n] = f(p[0..<n]).
    @inline(__always)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package func apply<T: ElementFloat>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
        let a = T(alpha), b = T(beta)
        switch kind {
        case .relu: for i in 0..<n { p[i] = max(p[i], 0) }
        case .tanh: for i in 0..<n { p[i] = T.tanh(p[i]) }
        case .sigmoid:
            for i in 0..<n {
                let x = p[i]
                // Stable for large |x|: never exp of a large positive number.
                if x >= 0 { p[i] = 1 / (1 + T.exp(-x)) } else { let e = T.exp(x); p[i] = e / (1 + e) }
            }
        case .affine: for i in 0..<n { p[i] = a * p[i] + b }
        case .leakyRelu: for i in 0..<n { let x = p[i]; p[i] = x >= 0 ? x : a * x }
        case .thresholdedRelu: for i in 0..<n { let x = p[i]; p[i] = x > a ? x : 0 }
        case .scaledTanh: for i in 0..<n { p[i] = a * T.tanh(b * p[i]) }
        case .hardSigmoid: for i in 0..<n { p[i] = min(max(a * p[i] + b, 0), 1) }
        case .elu: for i in 0..<n { let x = p[i]; p[i] = x >= 0 ? x : a * T.expm1(x) }
        case .softsign: for i in 0..<n { let x = p[i]; p[i] = x / (1 + abs(x)) }
        case .softplus: for i in 0..<n { let x = p[i]; p[i] = x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x)) }
        }
    }
}
