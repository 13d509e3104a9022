import Foundation

package enum GridSampleMode: Sendable { case nearest, linear, cubic }
package enum GridSamplePadding: Sendable { case zeros, border, reflection }

/// GridSample over any number of spatial dims: `input` is [N, C, D1..Dk], `grid` is
/// [N, O1..Om, k] with coordinates in reversed order (x first) normalized to [-1, 1],
/// `output` is [N, C, O1..Om]. Follows the ONNX reference (PyTorch's GridSampler): the
/// sampling point is denormalized, moved inside by border/reflection padding, then
/// interpolated separably; per output point the taps (flat offset, weight) are built once
/// and reused for every channel.
@_specialize(where T == Float, G == Float)
@_specialize(where T == Double, G == Double)
package func gridSample<T: BinaryFloatingPoint, G: BinaryFloatingPoint>(
    input: UnsafePointer<T>, inputShape: [Int], grid: UnsafePointer<G>, outputPoints: Int,
    output: UnsafeMutablePointer<T>, mode: GridSampleMode, padding: GridSamplePadding, alignCorners: Bool
) {
    let n = inputShape[0], channels = inputShape[1]
    let dims = Array(inputShape[2...]), k = dims.count
    let spatial = dims.reduce(1, *)
    var strides = [Int](repeating: 1, count: k)
    for d in stride(from: k - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * dims[d + 1] }
    let lows = dims.map { _ in alignCorners ? 0.0 : -0.5 }
    let highs = dims.map { Double($0) - (alignCorners ? 1.0 : 0.5) }
    let tapsPerDim = mode == .nearest ? 1 : (mode == .linear ? 2 : 4)

    // Per dim: tap flat offsets (-1 = zero padding) and weights.
    var tapOffsets = [[Int]](repeating: [Int](repeating: 0, count: tapsPerDim), count: k)
    var tapWeights = [[Double]](repeating: [Double](repeating: 0, count: tapsPerDim), count: k)
    var comboOffsets: [Int] = [], comboWeights: [Double] = []
    var counter = [Int](repeating: 0, count: k)

    func pixelIndex(_ i: Int, _ d: Int) -> Int {
        let size = dims[d]
        switch padding {
        case .zeros: return i >= 0 && i < size ? i : -1
        case .border: return min(max(i, 0), size - 1)
        case .reflection:
            let r = Int(gridReflect(Double(i), lows[d], highs[d]))
            return min(max(r, 0), size - 1)
        }
    }

    for b in 0..<n {
        let inBatch = input + b * channels * spatial
        let outBatch = output + b * channels * outputPoints
        for p in 0..<outputPoints {
            let g = grid + (b * outputPoints + p) * k
            for d in 0..<k {
                let normalized = Double(g[k - 1 - d])
                let length = Double(dims[d])
                var x = alignCorners ? (normalized + 1) / 2 * (length - 1) : ((normalized + 1) * length - 1) / 2
                if mode == .nearest { x = x.rounded(.toNearestOrEven) }
                if x < lows[d] || x > highs[d] {
                    switch padding {
                    case .border: x = min(max(x, 0), length - 1)
                    case .reflection: x = gridReflect(x, lows[d], highs[d])
                    case .zeros: break
                    }
                }
                switch mode {
                case .nearest:
                    let i = x.isFinite ? Int(max(min(x, 1e9), -1e9)) : -1
                    tapOffsets[d][0] = pixelIndex(i, d)
                    tapWeights[d][0] = 1
                case .linear:
                    let x0 = x.rounded(.down), t = x - x0
                    let i0 = x.isFinite ? Int(max(min(x0, 1e9), -1e9)) : -10
                    tapOffsets[d][0] = pixelIndex(i0, d); tapWeights[d][0] = 1 - t
                    tapOffsets[d][1] = pixelIndex(i0 + 1, d); tapWeights[d][1] = t
                case .cubic:
                    let x0 = x.rounded(.down), t = x - x0
                    let i0 = x.isFinite ? Int(max(min(x0, 1e9), -1e9)) : -10
                    let (c0, c1, c2, c3) = cubicCoefficients(t)
                    for j in 0..<4 { tapOffsets[d][j] = pixelIndex(i0 - 1 + j, d) }
                    tapWeights[d][0] = c0; tapWeights[d][1] = c1; tapWeights[d][2] = c2; tapWeights[d][3] = c3
                }
            }
            // Tensor product of the per-dim taps, dropping zero-padded ones.
            comboOffsets.removeAll(keepingCapacity: true)
            comboWeights.removeAll(keepingCapacity: true)
            for d in 0..<k { counter[d] = 0 }
            outer: while true {
                var offset = 0, weight = 1.0, valid = true
                for d in 0..<k {
                    let o = tapOffsets[d][counter[d]]
                    if o < 0 { valid = false; break }
                    offset += o * strides[d]
                    weight *= tapWeights[d][counter[d]]
                }
                if valid { comboOffsets.append(offset); comboWeights.append(weight) }
                var d = k - 1
                while d >= 0 {
                    counter[d] += 1
                    if counter[d] < tapsPerDim { break }
                    counter[d] = 0
                    d -= 1
                }
                if d < 0 { break outer }
            }
            for c in 0..<channels {
                let plane = inBatch + c * spatial
                var sum = 0.0
                for j in 0..<comboOffsets.count { sum += comboWeights[j] * Double(plane[comboOffsets[j]]) }
                outBatch[c * outputPoints + p] = T(sum)
            }
        }
    }
}

/// Reflects `x` by the nearer border until it lies within [low, high] (the reference's `_gs_reflect`).
func gridReflect(_ x: Double, _ low: Double, _ high: Double) -> Double {
    let range = high - low
    guard range > 0, x.isFinite else { return low }
    if x < low {
        let dx = low - x, n = (dx / range).rounded(.towardZero), r = dx - n * range
        return n.truncatingRemainder(dividingBy: 2) == 0 ? low + r : high - r
    }
    if x > high {
        let dx = x - high, n = (dx / range).rounded(.towardZero), r = dx - n * range
        return n.truncatingRemainder(dividingBy: 2) == 0 ? high - r : low + r
    }
    return x
}

/// Keys cubic convolution weights (alpha = -0.75) of the taps at -1, 0, 1, 2 for offset `t` in [0, 1).
func cubicCoefficients(_ t: Double) -> (Double, Double, Double, Double) {
    let a = -0.75, x = abs(t)
    let c0 = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a
    let c1 = ((a + 2) * x - (a + 3)) * x * x + 1
    let c2 = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1
    let c3 = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a
    return (c0, c1, c2, c3)
}
