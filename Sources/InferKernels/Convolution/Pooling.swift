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
        let halving = isHalving2x2(geometry)
        forEachPlane(planes, geometry, threads) { p in
            if halving {
                averagePlane2x2(input + p * geometry.inputSize, output + p * geometry.outputSize, geometry)
            } else {
                averagePlane(input + p * geometry.inputSize, output + p * geometry.outputSize, geometry, countIncludePad)
            }
        }
    }

    /// DenseNet's transition pooling: a 2-D 2x2 window, stride 2, no pads or dilation.
    static func isHalving2x2(_ g: WindowGeometry) -> Bool {
        g.kD == 1 && g.inD == 1 && g.outD == 1 && g.kH == 2 && g.kW == 2 && g.sH == 2 && g.sW == 2
            && g.dH == 1 && g.dW == 1 && g.pH == 0 && g.pW == 0 && g.eH == 0 && g.eW == 0
            && g.outH == g.inH / 2 && g.outW == g.inW / 2
    }

    /// `isHalving2x2` windows eight outputs at a time, from the even and odd floats of two input
    /// rows; the sums in `averagePlane`'s order (0, then row 0's two taps, then row 1's), so the
    /// result is the same to the bit. Every window is inside: the divisor is 4 either way.
    @inline(__always)
    private static func averagePlane2x2(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
        typealias L = StrideTwoLoads
        for oh in 0..<g.outH {
            let a = x + 2 * oh * g.inW, b = a + g.inW, out = y + oh * g.outW
            var j = 0
            // Outputs j..<j + 8 read inputs 2j..<2j + 16, inside the row while j + 8 <= outW.
            while j + 8 <= g.outW {
                let sum = SIMD8<Float>() + L.evens(a + 2 * j) + L.odds(a + 2 * j) + L.evens(b + 2 * j) + L.odds(b + 2 * j)
                UnsafeMutableRawPointer(out + j).storeBytes(of: sum / 4, as: SIMD8<Float>.self)
                j += 8
            }
            while j < g.outW {
                out[j] = (0 + a[2 * j] + a[2 * j + 1] + b[2 * j] + b[2 * j + 1]) / 4
                j += 1
            }
        }
    }

    package static func averagePool(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, planes: Int,
                                    geometry: WindowGeometry, countIncludePad: Bool, threads: Int) {
        forEachPlane(planes, geometry, threads) { p in
            averagePlane(input + p * geometry.inputSize, output + p * geometry.outputSize, geometry, countIncludePad)
        }
    }

    private static func forEachPlane(_ planes: Int, _ g: WindowGeometry, _ threads: Int, _ body: (Int) -> Void) {
        ParallelFor.forEach(planes, work: planes * g.outputSize * g.kernelSize, threads: threads, body)
    }

    @inline(__always)
    private static func maxPlane<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ g: WindowGeometry) {
        var out = y
        g.forEachOutput { od, oh, ow in
            var best = -T.infinity
            g.forEachTapInside(od: od, oh: oh, ow: ow) { id, ih, iw in
                let v = x[(id * g.inH + ih) * g.inW + iw]
                // NaN propagates, as in ONNX Runtime's max.
                if v > best || v.isNaN { best = v }
            }
            out.pointee = best
            out += 1
        }
    }

    /// Max over a plane with the window taps outside and the output row inside (like the depthwise
    /// convolution): each tap's valid column span is computed once per row, so the inner loop is a
    /// branch-free select over contiguous outputs. Same result as `maxPlane` (NaN propagates; a
    /// window entirely in padding gives -inf).
    @inline(__always)
    private static func maxPlaneRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
        if DepthwiseConvolution.isPlanar3x3(g) {
            maxPlane3x3(x, y, g)
            return
        }
        y.update(repeating: -.infinity, count: g.outputSize)
        let s = g.sW
        g.forEachRowTap { outputRow, inputRow, _, columnOffset in
            let row = y + outputRow, src = x + inputRow + columnOffset
            let (lo, hi) = g.validColumns(offset: columnOffset)
            if s == 1 {
                for ow in lo..<hi { let v = src[ow], o = row[ow]; row[ow] = v > o || v != v ? v : o }
            } else if s == 2 {
                for ow in lo..<hi { let v = src[2 * ow], o = row[ow]; row[ow] = v > o || v != v ? v : o }
            } else {
                for ow in lo..<hi { let v = src[s * ow], o = row[ow]; row[ow] = v > o || v != v ? v : o }
            }
        }
    }

    /// The ResNet stem pool (3x3, stride 1 or 2, no dilation), like the depthwise 3x3 kernel: rows
    /// outside the input read a -inf row, interior columns take eight outputs at a time (stride 2
    /// through even / odd lanes), border columns check each tap. Taps are visited in the same
    /// order as `maxPlaneRows` with the same NaN-propagating comparison.
    @inline(__always)
    private static func maxPlane3x3(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
        typealias V8 = SIMD8<Float>
        @inline(__always) func take(_ m: Float, _ v: Float) -> Float { v > m || v != v ? v : m }
        @inline(__always) func take8(_ m: V8, _ v: V8) -> V8 {
            var r = m
            r.replace(with: v, where: (v .> m) .| (v .!= v))
            return r
        }
        @inline(__always) func load8(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
        let s = g.sW, inW = g.inW, outW = g.outW
        let (lo, hi) = g.interiorColumns3x3
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, inW)) { buffer in
            let lowest = buffer.baseAddress!
            lowest.initialize(repeating: -.infinity, count: max(1, inW))
            for oh in 0..<g.outH {
                let (r0, r1, r2) = g.inputRows3x3(oh: oh, plane: x, filler: UnsafePointer(lowest))
                let out = y + oh * outW
                @inline(__always) func border(_ ow: Int) {
                    let iw = ow * s - g.pW
                    var m = -Float.infinity
                    @inline(__always) func row(_ r: UnsafePointer<Float>) {
                        for k in 0..<3 where iw + k >= 0 && iw + k < inW { m = take(m, r[iw + k]) }
                    }
                    row(r0); row(r1); row(r2)
                    out[ow] = m
                }
                for ow in 0..<lo { border(ow) }
                let base = lo * s - g.pW
                let (a, b, c) = (r0 + base, r1 + base, r2 + base)
                let count = hi - lo, o = out + lo
                var j = 0
                if s == 1 {
                    while j + 8 <= count {
                        var m = V8(repeating: -.infinity)
                        @inline(__always) func row(_ r: UnsafePointer<Float>) {
                            m = take8(m, load8(r + j)); m = take8(m, load8(r + j + 1)); m = take8(m, load8(r + j + 2))
                        }
                        row(a); row(b); row(c)
                        UnsafeMutableRawPointer(o + j).storeBytes(of: m, as: V8.self)
                        j += 8
                    }
                } else {
                    // As in the depthwise kernel: the last load stays inside the row while j + 8 < count.
                    while j + 9 <= count {
                        var m = V8(repeating: -.infinity)
                        @inline(__always) func row(_ r: UnsafePointer<Float>) {
                            let p = r + 2 * j
                            m = take8(m, StrideTwoLoads.evens(p)); m = take8(m, StrideTwoLoads.odds(p))
                            m = take8(m, StrideTwoLoads.evens(p + 2))
                        }
                        row(a); row(b); row(c)
                        UnsafeMutableRawPointer(o + j).storeBytes(of: m, as: V8.self)
                        j += 8
                    }
                }
                while j < count {
                    let i = j * s
                    var m = -Float.infinity
                    @inline(__always) func row(_ r: UnsafePointer<Float>) { m = take(m, r[i]); m = take(m, r[i + 1]); m = take(m, r[i + 2]) }
                    row(a); row(b); row(c)
                    o[j] = m
                    j += 1
                }
                for ow in hi..<outW { border(ow) }
            }
        }
    }

    @inline(__always)
    private static func averagePlane<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                            _ g: WindowGeometry, _ countIncludePad: Bool) {
        var out = y
        g.forEachOutput { od, oh, ow in
            let d0 = od * g.sD - g.pD, h0 = oh * g.sH - g.pH, w0 = ow * g.sW - g.pW
            var sum: T = 0
            var inside = 0, padded = 0
            // Unlike max, average also counts the taps in the explicit padding (count_include_pad).
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
