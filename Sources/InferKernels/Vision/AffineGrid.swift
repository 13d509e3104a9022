/// AffineGrid: for each batch item the normalized base grid of `size` spatial dims (2 or 3,
/// order D, H, W) maps through theta [k, k+1] to `output` [N, (D,) H, W, k], coordinates
/// in (x, y, z) order. Base coordinates are pixel centers (or corners with `alignCorners`)
/// in [-1, 1], computed as the reference's `arange` does: start + i * step.
@_specialize(where T == Float)
@_specialize(where T == Double)
package func affineGrid<T: BinaryFloatingPoint>(
    theta: UnsafePointer<T>, batch: Int, spatial: [Int], alignCorners: Bool, output: UnsafeMutablePointer<T>
) {
    let k = spatial.count
    // Per spatial dim (D/H/W order) the base coordinate of each index.
    let axes: [[Double]] = spatial.map { size in
        (0..<size).map { i in
            if alignCorners { return size > 1 ? -1 + Double(i) * (2.0 / Double(size - 1)) : -1 }
            let step = 2.0 / Double(size)
            return -1 + step / 2 + Double(i) * step
        }
    }
    let points = spatial.reduce(1, *)
    var index = [Int](repeating: 0, count: k)
    var homogeneous = [Double](repeating: 1, count: k + 1)
    for b in 0..<batch {
        let t = theta + b * k * (k + 1)
        for d in 0..<k { index[d] = 0 }
        for p in 0..<points {
            // Homogeneous point (x, y, z, 1): x is the last spatial dim.
            for j in 0..<k { homogeneous[j] = axes[k - 1 - j][index[k - 1 - j]] }
            let out = output + (b * points + p) * k
            for r in 0..<k {
                var sum = 0.0
                for j in 0...k { sum += Double(t[r * (k + 1) + j]) * homogeneous[j] }
                out[r] = T(sum)
            }
            var d = k - 1
            while d >= 0 { index[d] += 1; if index[d] < spatial[d] { break }; index[d] = 0; d -= 1 }
        }
    }
}
