/// GlobalAveragePool / GlobalMaxPool: one value per plane of `planeSize` contiguous elements.
package enum GlobalPooling {
    /// Sixteen partial sums per plane, added at the end: a single running sum is a chain of
    /// dependent adds (4 cycles each), which made SE blocks' pools 6% of EfficientNet-B0.
    package static func average(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, planes: Int, planeSize: Int) {
        for p in 0..<planes {
            let plane = input + p * planeSize
            var lanes = SIMD16<Float>()
            var i = 0
            while i + 16 <= planeSize {
                lanes += UnsafeRawPointer(plane + i).loadUnaligned(as: SIMD16<Float>.self)
                i += 16
            }
            var sum = lanes.sum()
            while i < planeSize { sum += plane[i]; i += 1 }
            output[p] = planeSize > 0 ? sum / Float(planeSize) : .nan
        }
    }

    package static func average(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, planes: Int, planeSize: Int) {
        averagePlanes(input, output, planes, planeSize)
    }

    package static func max(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, planes: Int, planeSize: Int) {
        maxPlanes(input, output, planes, planeSize)
    }

    package static func max(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, planes: Int, planeSize: Int) {
        maxPlanes(input, output, planes, planeSize)
    }

    private static func averagePlanes<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ planes: Int, _ size: Int) {
        for p in 0..<planes {
            let plane = x + p * size
            var sum: T = 0
            for i in 0..<size { sum += plane[i] }
            y[p] = size > 0 ? sum / T(size) : .nan
        }
    }

    private static func maxPlanes<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ planes: Int, _ size: Int) {
        for p in 0..<planes {
            let plane = x + p * size
            var best = -T.infinity
            for i in 0..<size where plane[i] > best || plane[i].isNaN { best = plane[i] }
            y[p] = best
        }
    }
}
