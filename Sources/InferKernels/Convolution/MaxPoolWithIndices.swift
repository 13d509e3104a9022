/// MaxPool that also returns where each maximum came from (MaxPool's optional Indices output):
/// the flat index into the whole input `[N, C, spatial...]`, row-major, or with `columnMajor`
/// (storage_order 1) H and W swapped within a plane. The first maximum wins. Rarely used, so one
/// straightforward loop.
package enum MaxPoolWithIndices {
    package static func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int64>,
                            planes: Int, geometry: WindowGeometry, columnMajor: Bool) {
        pool(input, output, indices, planes, geometry, columnMajor)
    }
    package static func run(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int64>,
                            planes: Int, geometry: WindowGeometry, columnMajor: Bool) {
        pool(input, output, indices, planes, geometry, columnMajor)
    }

    private static func pool<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int64>,
                                                    _ planes: Int, _ g: WindowGeometry, _ columnMajor: Bool) {
        var o = 0
        for p in 0..<planes {
            let plane = x + p * g.inputSize
            for od in 0..<g.outD {
                for oh in 0..<g.outH {
                    for ow in 0..<g.outW {
                        var best = -T.infinity, bestIndex = -1
                        for kd in 0..<g.kD {
                            let id = od * g.sD - g.pD + kd * g.dD
                            if id < 0 || id >= g.inD { continue }
                            for kh in 0..<g.kH {
                                let ih = oh * g.sH - g.pH + kh * g.dH
                                if ih < 0 || ih >= g.inH { continue }
                                for kw in 0..<g.kW {
                                    let iw = ow * g.sW - g.pW + kw * g.dW
                                    if iw < 0 || iw >= g.inW { continue }
                                    let v = plane[(id * g.inH + ih) * g.inW + iw]
                                    if v > best || bestIndex < 0 || (v.isNaN && !best.isNaN) {
                                        best = v
                                        bestIndex = columnMajor ? (id * g.inW + iw) * g.inH + ih : (id * g.inH + ih) * g.inW + iw
                                    }
                                }
                            }
                        }
                        y[o] = best
                        indices[o] = Int64(p * g.inputSize + max(bestIndex, 0))
                        o += 1
                    }
                }
            }
        }
    }
}
