import Foundation

/// Normalizations that divide by a statistic over some axes: RMSNormalization, LpNormalization,
/// MeanVarianceNormalization. Statistics accumulate in Double; rarely hot, so plain loops.
package enum AxisNormalizers {
    /// RMSNormalization over rows of `[outer, n]`: `y = x / sqrt(mean(x^2) + epsilon) * scale[j]`.
    package static func rootMeanSquare(_ x: UnsafePointer<Float>, outer: Int, n: Int, epsilon: Double,
                                       scale: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        rms(x, outer, n, epsilon, scale, y)
    }
    package static func rootMeanSquare(_ x: UnsafePointer<Double>, outer: Int, n: Int, epsilon: Double,
                                       scale: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>) {
        rms(x, outer, n, epsilon, scale, y)
    }

    /// LpNormalization along the middle dim of `[outer, n, inner]`, `p` 1 or 2; a zero norm gives 0.
    package static func lpNorm(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, p: Int, into y: UnsafeMutablePointer<Float>) {
        lp(x, outer, n, inner, p, y)
    }
    package static func lpNorm(_ x: UnsafePointer<Double>, outer: Int, n: Int, inner: Int, p: Int, into y: UnsafeMutablePointer<Double>) {
        lp(x, outer, n, inner, p, y)
    }

    /// MeanVarianceNormalization over the dims where `reduced` is true:
    /// `y = (x - mean) / (sqrt(mean(x^2) - mean^2) + 1e-9)` (the ONNX function body).
    package static func meanVariance(_ x: UnsafePointer<Float>, shape: [Int], reduced: [Bool], into y: UnsafeMutablePointer<Float>) {
        mvn(x, shape, reduced, y)
    }
    package static func meanVariance(_ x: UnsafePointer<Double>, shape: [Int], reduced: [Bool], into y: UnsafeMutablePointer<Double>) {
        mvn(x, shape, reduced, y)
    }

    private static func rms<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ outer: Int, _ n: Int, _ epsilon: Double,
                                                    _ scale: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
        guard n > 0 else { return }
        for o in 0..<outer {
            let row = x + o * n, out = y + o * n
            var sum = 0.0
            for j in 0..<n { sum += Double(row[j]) * Double(row[j]) }
            let inverse = 1 / (sum / Double(n) + epsilon).squareRoot()
            for j in 0..<n { out[j] = T(Double(row[j]) * inverse * Double(scale[j])) }
        }
    }

    private static func lp<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ outer: Int, _ n: Int, _ inner: Int, _ p: Int,
                                                   _ y: UnsafeMutablePointer<T>) {
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                var norm = 0.0
                for k in 0..<n {
                    let v = Double(x[base + k * inner])
                    norm += p == 1 ? Swift.abs(v) : v * v
                }
                if p == 2 { norm = norm.squareRoot() }
                for k in 0..<n { y[base + k * inner] = norm == 0 ? 0 : T(Double(x[base + k * inner]) / norm) }
            }
        }
    }

    private static func mvn<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ shape: [Int], _ reduced: [Bool],
                                                    _ y: UnsafeMutablePointer<T>) {
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        // Group index of every element = its multi-index over the kept dims, row-major.
        var groupStrides = [Int](repeating: 0, count: shape.count)
        var groups = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where !reduced[d] {
            groupStrides[d] = groups
            groups *= shape[d]
        }
        let perGroup = Double(count / groups)
        var group = [Int](repeating: 0, count: count)
        MultiIndex.forEach(0..<count, dims: shape, strides: groupStrides) { i, g in group[i] = g }
        var sum = [Double](repeating: 0, count: groups), sumSquares = [Double](repeating: 0, count: groups)
        for i in 0..<count {
            let v = Double(x[i])
            sum[group[i]] += v
            sumSquares[group[i]] += v * v
        }
        for k in 0..<groups {
            let mean = sum[k] / perGroup
            sum[k] = mean
            sumSquares[k] = (sumSquares[k] / perGroup - mean * mean).squareRoot() + 1e-9
        }
        for i in 0..<count { y[i] = T((Double(x[i]) - sum[group[i]]) / sumSquares[group[i]]) }
    }
}
