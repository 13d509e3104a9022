import Foundation

/// How a loss reduces its per-element values.
package enum LossReduction: Sendable {
    /// One value per target element.
    case none
    case sum
    /// The weighted mean: sum of weighted losses over the sum of the weights applied.
    case mean
}

/// NegativeLogLikelihoodLoss and the log-softmax SoftmaxCrossEntropyLoss feeds it, on inputs
/// `[n, c, d]` (contiguous) and targets `[n, d]` already checked to be in `0..<c` or the ignored index.
/// Sums accumulate in Double.
package enum LossFunctionKernels {
    package static func negativeLogLikelihood(_ input: UnsafePointer<Float>, target: UnsafePointer<Int>, weight: UnsafePointer<Float>?,
                                              n: Int, c: Int, d: Int, ignoreIndex: Int?, reduction: LossReduction,
                                              into out: UnsafeMutablePointer<Float>) {
        nll(input, target, weight, n, c, d, ignoreIndex, reduction, out)
    }
    package static func negativeLogLikelihood(_ input: UnsafePointer<Double>, target: UnsafePointer<Int>, weight: UnsafePointer<Double>?,
                                              n: Int, c: Int, d: Int, ignoreIndex: Int?, reduction: LossReduction,
                                              into out: UnsafeMutablePointer<Double>) {
        nll(input, target, weight, n, c, d, ignoreIndex, reduction, out)
    }

    /// `out = log(softmax(x))` along the middle dim of `[n, c, d]`.
    package static func logSoftmax(_ x: UnsafePointer<Float>, n: Int, c: Int, d: Int, into out: UnsafeMutablePointer<Float>) {
        logSoftmaxAny(x, n, c, d, out)
    }
    package static func logSoftmax(_ x: UnsafePointer<Double>, n: Int, c: Int, d: Int, into out: UnsafeMutablePointer<Double>) {
        logSoftmaxAny(x, n, c, d, out)
    }

    private static func nll<T: BinaryFloatingPoint>(_ input: UnsafePointer<T>, _ target: UnsafePointer<Int>, _ weight: UnsafePointer<T>?,
                                                    _ n: Int, _ c: Int, _ d: Int, _ ignoreIndex: Int?,
                                                    _ reduction: LossReduction, _ out: UnsafeMutablePointer<T>) {
        var total = 0.0, totalWeight = 0.0
        for i in 0..<n {
            for j in 0..<d {
                let t = target[i * d + j]
                var loss = 0.0
                if t != ignoreIndex {
                    let w = weight.map { Double($0[t]) } ?? 1
                    loss = -w * Double(input[(i * c + t) * d + j])
                    totalWeight += w
                }
                if reduction == .none { out[i * d + j] = T(loss) } else { total += loss }
            }
        }
        switch reduction {
        case .none: break
        case .sum: out[0] = T(total)
        case .mean: out[0] = T(total / totalWeight)
        }
    }

    private static func logSoftmaxAny<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ n: Int, _ c: Int, _ d: Int,
                                                             _ out: UnsafeMutablePointer<T>) {
        guard c > 0 else { return }
        for i in 0..<n {
            for j in 0..<d {
                let base = i * c * d + j
                var largest = x[base]
                for k in 1..<c { largest = max(largest, x[base + k * d]) }
                var sum = 0.0
                for k in 0..<c { sum += Foundation.exp(Double(x[base + k * d] - largest)) }
                let logSum = Foundation.log(sum)
                for k in 0..<c { out[base + k * d] = T(Double(x[base + k * d] - largest) - logSum) }
            }
        }
    }
}
