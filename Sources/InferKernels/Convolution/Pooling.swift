/// Max and average pooling over a canonical 3-D window (see `WindowGeometry`), one plane
/// (channel of one image) at a time; planes run in parallel when there is enough work.
package enum Pooling {
    package static func maxPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, planes: Int,
                                geometry: WindowGeometry, threads: Int) {
        forEachPlane(planes, geometry, threads) { p in maxPlaneRows(input + p * geometry.inputSize, output + p * geometry.outputSize, geometry) }
    }

    package static func maxPool(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, planes: Int,
                                geometry: WindowGeometry, threads: Int) {
        forEachPlane(planes, geometry, threads) { p in maxPlane(input + p * geometry.inputSize, output + p * geometry.outputSize, geometry) }
    }

    /// `countIncludePad`: divide by the taps inside the padded input (pads included) rather
    /// than by the taps inside the input.
    package static func averagePool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, planes: Int,
                                    geometry: WindowGeometry, countIncludePad: Bool, threads: Int) {
        forEachPlane(planes, geometry, threads) { p in
            averagePlane(input + p * geometry.inputSize, output + p * geometry.outputSize, geometry, countIncludePad)
        }
    }

    package static func averagePool(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, planes: Int,
                                    geometry: WindowGeometry, countIncludePad: Bool, threads: Int) {
        forEachPlane(planes, geometry, threads) { p in
            averagePlane(input + p * geometry.inputSize, output + p * geometry.outputSize, geometry, countIncludePad)
        }
    }

    private static func forEachPlane(_ planes: Int, _ g: WindowGeometry, _ threads: Int, _ body: (Int) -> Void) {
        ParallelPlanes.forEach(planes, threads: threads, work: planes * g.outputSize * g.kernelSize, body)
    }

    @inline(__always)
    private static func maxPlane<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ g: WindowGeometry) {
        var out = y
        for od in 0..<g.outD {
            let d0 = od * g.sD - g.pD
            for oh in 0..<g.outH {
                let h0 = oh * g.sH - g.pH
                for ow in 0..<g.outW {
                    let w0 = ow * g.sW - g.pW
                    var best = -T.infinity
                    for kd in 0..<g.kD {
                        let id = d0 + kd * g.dD
                        if id < 0 || id >= g.inD { continue }
                        for kh in 0..<g.kH {
                            let ih = h0 + kh * g.dH
                            if ih < 0 || ih >= g.inH { continue }
                            let row = x + (id * g.inH + ih) * g.inW
                            for kw in 0..<g.kW {
                                let iw = w0 + kw * g.dW
                                if iw < 0 || iw >= g.inW { continue }
                                let v = row[iw]
                                // NaN propagates, as in ONNX Runtime's max.
                                if v > best || v.isNaN { best = v }
                            }
                        }
                    }
                    out.pointee = best
                    out += 1
                }
            }
        }
    }

    /// Max over a plane with the window taps outside and the output row inside (like the depthwise
    /// convolution): each tap's valid column span is computed once per row, so the inner loop is a
    /// branch-free select over contiguous outputs. Same result as `maxPlane` (NaN propagates; a
    /// window entirely in padding gives -inf).
    @inline(__always)
    private static func maxPlaneRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
        y.update(repeating: -.infinity, count: g.outputSize)
        let s = g.sW
        for od in 0..<g.outD {
            for oh in 0..<g.outH {
                let row = y + (od * g.outH + oh) * g.outW
                for kd in 0..<g.kD {
                    let id = od * g.sD - g.pD + kd * g.dD
                    if id < 0 || id >= g.inD { continue }
                    for kh in 0..<g.kH {
                        let ih = oh * g.sH - g.pH + kh * g.dH
                        if ih < 0 || ih >= g.inH { continue }
                        let inRow = x + (id * g.inH + ih) * g.inW
                        for kw in 0..<g.kW {
                            let off = kw * g.dW - g.pW
                            let (lo, hi) = g.validColumns(offset: off)
                            let src = inRow + off
                            if s == 1 {
                                for ow in lo..<hi { let v = src[ow], o = row[ow]; row[ow] = v > o || v != v ? v : o }
                            } else if s == 2 {
                                for ow in lo..<hi { let v = src[2 * ow], o = row[ow]; row[ow] = v > o || v != v ? v : o }
                            } else {
                                for ow in lo..<hi { let v = src[s * ow], o = row[ow]; row[ow] = v > o || v != v ? v : o }
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func averagePlane<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                            _ g: WindowGeometry, _ countIncludePad: Bool) {
        var out = y
        for od in 0..<g.outD {
            let d0 = od * g.sD - g.pD
            for oh in 0..<g.outH {
                let h0 = oh * g.sH - g.pH
                for ow in 0..<g.outW {
                    let w0 = ow * g.sW - g.pW
                    var sum: T = 0
                    var inside = 0, padded = 0
                    for kd in 0..<g.kD {
                        let id = d0 + kd * g.dD
                        if id < -g.pD || id >= g.inD + g.eD { continue }
                        let dIn = id >= 0 && id < g.inD
                        for kh in 0..<g.kH {
                            let ih = h0 + kh * g.dH
                            if ih < -g.pH || ih >= g.inH + g.eH { continue }
                            let hIn = dIn && ih >= 0 && ih < g.inH
                            let row = x + (id * g.inH + ih) * g.inW
                            for kw in 0..<g.kW {
                                let iw = w0 + kw * g.dW
                                if iw < -g.pW || iw >= g.inW + g.eW { continue }
                                padded += 1
                                if hIn, iw >= 0, iw < g.inW {
                                    sum += row[iw]
                                    inside += 1
                                }
                            }
                        }
                    }
                    let divisor = countIncludePad ? padded : inside
                    out.pointee = divisor > 0 ? sum / T(divisor) : 0
                    out += 1
                }
            }
        }
    }
}
