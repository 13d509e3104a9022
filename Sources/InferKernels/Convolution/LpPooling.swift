import Foundation

/// LpPool: `y = (sum over the window of |x|^p)^(1/p)`; padding contributes nothing.
package enum LpPooling {
    package static func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, planes: Int,
                            geometry: WindowGeometry, p: Double) {
        pool(input, output, planes, geometry, p)
    }
    package static func run(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, planes: Int,
                            geometry: WindowGeometry, p: Double) {
        pool(input, output, planes, geometry, p)
    }

    private static func pool<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ planes: Int,
                                                    _ g: WindowGeometry, _ p: Double) {
        var o = 0
        for plane in 0..<planes {
            let base = x + plane * g.inputSize
            g.forEachOutput { od, oh, ow in
                var sum = 0.0
                g.forEachTapInside(od: od, oh: oh, ow: ow) { id, ih, iw in
                    let v = Swift.abs(Double(base[(id * g.inH + ih) * g.inW + iw]))
                    sum += p == 2 ? v * v : (p == 1 ? v : Foundation.pow(v, p))
                }
                y[o] = T(p == 2 ? sum.squareRoot() : (p == 1 ? sum : Foundation.pow(sum, 1 / p)))
                o += 1
            }
        }
    }
}
