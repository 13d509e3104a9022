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
            for od in 0..<g.outD {
                for oh in 0..<g.outH {
                    for ow in 0..<g.outW {
                        var sum = 0.0
                        for kd in 0..<g.kD {
                            let id = od * g.sD - g.pD + kd * g.dD
                            if id < 0 || id >= g.inD { continue }
                            for kh in 0..<g.kH {
                                let ih = oh * g.sH - g.pH + kh * g.dH
                                if ih < 0 || ih >= g.inH { continue }
                                for kw in 0..<g.kW {
                                    let iw = ow * g.sW - g.pW + kw * g.dW
                                    if iw < 0 || iw >= g.inW { continue }
                                    let v = Swift.abs(Double(base[(id * g.inH + ih) * g.inW + iw]))
                                    sum += p == 2 ? v * v : (p == 1 ? v : Foundation.pow(v, p))
                                }
                            }
                        }
                        y[o] = T(p == 2 ? sum.squareRoot() : (p == 1 ? sum : Foundation.pow(sum, 1 / p)))
                        o += 1
                    }
                }
            }
        }
    }
}
