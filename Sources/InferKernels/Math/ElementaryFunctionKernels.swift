import Foundation

/// Elementwise functions beyond `UnaryOp` (rarely hot in real models): computed in Double and
/// rounded once to the element type, so Float results are correctly rounded in practice.
package enum ElementaryFunction: Sendable, Equatable {
    case tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh
    /// `x < -lambda ? x + bias : (x > lambda ? x - bias : 0)`.
    case shrink(lambda: Double, bias: Double)
    /// `x * sigmoid(alpha * x)`.
    case swish(alpha: Double)

    @inline(__always)
    package func callAsFunction(_ x: Double) -> Double {
        switch self {
        case .tan: Foundation.tan(x)
        case .asin: Foundation.asin(x)
        case .acos: Foundation.acos(x)
        case .atan: Foundation.atan(x)
        case .sinh: Foundation.sinh(x)
        case .cosh: Foundation.cosh(x)
        case .asinh: Foundation.asinh(x)
        case .acosh: Foundation.acosh(x)
        case .atanh: Foundation.atanh(x)
        case .shrink(let lambda, let bias): x < -lambda ? x + bias : (x > lambda ? x - bias : 0)
        case .swish(let alpha): x / (1 + Foundation.exp(-alpha * x))
        }
    }
}

package enum ElementaryFunctionKernels {
    package static func apply(_ f: ElementaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = Float(f(Double(x[i]))) }
    }

    package static func apply(_ f: ElementaryFunction, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { y[i] = f(x[i]) }
    }
}
