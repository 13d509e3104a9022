import CInferSIMD

/// Direct convolution for group == channels (one input channel per group, any channel
/// multiplier): im2col would copy kernelSize times the input for a tiny GEMM. Planar 3x3 windows
/// run `plane3x3`; other 2-D windows with multiplier 1 run sixteen channels at a time
/// (`ChannelBlockedDepthwise`); the rest (3-D, multipliers) the row-by-tap loop `runPlane`.
package enum DepthwiseConvolution {
    /// Y = tail(depthwise conv(X, W) + bias). A tail that is a clamp (none, ReLU, Clip) goes into
    /// the kernel's one write of each output; any other runs on each plane (or block of planes)
    /// right after the kernel wrote it, while it is in cache.
    package static func run(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            output: UnsafeMutablePointer<Float>, batch: Int, channels: Int, outChannels: Int,
                            geometry g: WindowGeometry, tail: GemmEpilogue.Tail = .none, threads: Int) {
        let multiplier = outChannels / channels
        let planes = batch * outChannels
        let work = planes * g.outputSize * g.kernelSize
        let clamp = tail.isEmpty ? nil : tail.clamp
        /// The tail on planes the kernel has just written, when the store could not take it.
        func finish(_ planes: Range<Int>) {
            if clamp == nil, !tail.isEmpty {
                GemmEpilogue.applyBlock(output: output, runs: planes, columns: 0..<g.outputSize, runLength: g.outputSize,
                                        bias: .none, tail: tail)
            }
        }
        if isPlanar3x3(g) {
            // One zero row shared (read-only) by every plane: small planes (4x4, 7x7) are mostly overhead.
            let c = clamp ?? ConvolutionClamp(low: -.infinity, high: .infinity)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, g.inW)) { buffer in
                let zero = buffer.baseAddress!
                zero.initialize(repeating: 0, count: max(1, g.inW))
                ParallelFor.forEach(planes, work: work, threads: threads) { plane in
                    let n = plane / outChannels, m = plane % outChannels
                    plane3x3(x: input + (n * channels + m / multiplier) * g.inputSize, w: weights + m * 9,
                             bias: bias?[m] ?? 0, y: output + plane * g.outputSize, low: c.low, high: c.high,
                             zero: UnsafePointer(zero), g)
                    finish(plane..<plane + 1)
                }
            }
            return
        }
        if ChannelBlockedDepthwise.applies(to: g, channels: channels, outChannels: outChannels) {
            ChannelBlockedDepthwise.run(input: input, weights: weights, bias: bias, output: output, batch: batch,
                                        channels: channels, geometry: g, clamp: clamp, threads: threads, finish: finish)
            return
        }
        ParallelFor.forEach(planes, work: work, threads: threads) { plane in
            let n = plane / outChannels, m = plane % outChannels
            let x = input + (n * channels + m / multiplier) * g.inputSize
            let w = weights + m * g.kernelSize
            let y = output + plane * g.outputSize
            y.update(repeating: bias?[m] ?? 0, count: g.outputSize)
            runPlane(x: x, w: w, y: y, g)
            if let clamp { for i in 0..<g.outputSize { y[i] = clamp.apply(y[i]) } }
            finish(plane..<plane + 1)
        }
    }

    /// The MobileNet case: 2-D 3x3, no dilation, stride 1 or 2 in both dims.
    @inline(__always)
    package static func isPlanar3x3(_ g: WindowGeometry) -> Bool {
        g.kD == 1 && g.inD == 1 && g.outD == 1 && g.kH == 3 && g.kW == 3 && g.dH == 1 && g.dW == 1
            && g.sH == g.sW && (g.sW == 1 || g.sW == 2)
    }

    /// One 3x3 plane, output row by output row: the nine weights live in registers, each output
    /// is written once. Rows outside the input read a zero row; the interior columns (all three
    /// taps inside) run without checks, the at most one or two border columns on each side with.
    @inline(__always)
    package static func plane3x3(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: Float,
                                 y: UnsafeMutablePointer<Float>, low: Float, high: Float, zero: UnsafePointer<Float>,
                                 _ g: WindowGeometry) {
        // Clip's order: raise to low, then cap at high (NaN stays NaN; ±inf bounds are the identity).
        @inline(__always) func clamp(_ v: Float) -> Float {
            let raised = v < low ? low : v
            return raised > high ? high : raised
        }
        typealias V8 = SIMD8<Float>
        @inline(__always) func clamp8(_ v: V8) -> V8 {
            var r = v
            r.replace(with: low, where: v .< low)
            r.replace(with: high, where: r .> high)
            return r
        }
        @inline(__always) func load8(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
        @inline(__always) func store8(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
        }
        let s = g.sW, inW = g.inW, outW = g.outW
        let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
        let (v0, v1, v2, v3, v4, v5, v6, v7, v8) = (V8(repeating: w0), V8(repeating: w1), V8(repeating: w2),
                                                    V8(repeating: w3), V8(repeating: w4), V8(repeating: w5),
                                                    V8(repeating: w6), V8(repeating: w7), V8(repeating: w8))
        let (lo, hi) = g.interiorColumns3x3
        do {
            for oh in 0..<g.outH {
                let (r0, r1, r2) = g.inputRows3x3(oh: oh, plane: x, filler: zero)
                let out = y + oh * outW
                // Border columns: taps outside the row contribute nothing.
                @inline(__always) func border(_ ow: Int) {
                    let iw = ow * s - g.pW
                    var acc = bias
                    if iw >= 0 && iw < inW { acc += w0 * r0[iw]; acc += w3 * r1[iw]; acc += w6 * r2[iw] }
                    if iw + 1 >= 0 && iw + 1 < inW { acc += w1 * r0[iw + 1]; acc += w4 * r1[iw + 1]; acc += w7 * r2[iw + 1] }
                    if iw + 2 >= 0 && iw + 2 < inW { acc += w2 * r0[iw + 2]; acc += w5 * r1[iw + 2]; acc += w8 * r2[iw + 2] }
                    out[ow] = clamp(acc)
                }
                for ow in 0..<lo { border(ow) }
                let base = lo * s - g.pW
                let (a, b, c) = (r0 + base, r1 + base, r2 + base)
                let count = hi - lo, o = out + lo
                var j = 0
                // The whole span in CInferSIMD's row kernel (AVX-512 or AVX2, its end masked);
                // else eight at a time and the scalar loop finishes (same arithmetic order).
                let level = count > 0 ? SIMDKernels.level : .baseline
                if level == .avx512 {
                    cinfer_depthwise3x3_row_avx512(a, b, c, w, bias, low, high, o, count, s)
                    j = count
                } else if level == .avx2 {
                    cinfer_depthwise3x3_row_avx2(a, b, c, w, bias, low, high, o, count, s)
                    j = count
                } else if s == 1 {
                    while j + 8 <= count {
                        var acc = V8(repeating: bias) + v0 * load8(a + j) + v1 * load8(a + j + 1) + v2 * load8(a + j + 2)
                        acc += v3 * load8(b + j) + v4 * load8(b + j + 1) + v5 * load8(b + j + 2)
                        acc += v6 * load8(c + j) + v7 * load8(c + j + 1) + v8 * load8(c + j + 2)
                        store8(clamp8(acc), o + j)
                        j += 8
                    }
                } else {
                    // Even / odd lanes of 16 contiguous inputs are taps 0 / 1; taps 2 are the even lanes
                    // two further on. The last load reads one float past the chunk's window, which the
                    // next interior output (j + 8 < count) also reads: still inside the row.
                    while j + 9 <= count {
                        let (pa, pb, pc) = (a + 2 * j, b + 2 * j, c + 2 * j)
                        typealias L = StrideTwoLoads
                        var acc = V8(repeating: bias) + v0 * L.evens(pa) + v1 * L.odds(pa) + v2 * L.evens(pa + 2)
                        acc += v3 * L.evens(pb) + v4 * L.odds(pb) + v5 * L.evens(pb + 2)
                        acc += v6 * L.evens(pc) + v7 * L.odds(pc) + v8 * L.evens(pc + 2)
                        store8(clamp8(acc), o + j)
                        j += 8
                    }
                }
                while j < count {
                    let i = j * s
                    var acc = bias + w0 * a[i] + w1 * a[i + 1] + w2 * a[i + 2]
                    acc += w3 * b[i] + w4 * b[i + 1] + w5 * b[i + 2]
                    acc += w6 * c[i] + w7 * c[i + 1] + w8 * c[i + 2]
                    o[j] = clamp(acc)
                    j += 1
                }
                for ow in hi..<outW { border(ow) }
            }
        }
    }

    /// Kernel taps outside, output row inside: the inner loop is contiguous in the output.
    @inline(__always)
    private static func runPlane(x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                 _ g: WindowGeometry) {
        g.forEachRowTap { outputRow, inputRow, tap, columnOffset in
            let row = y + outputRow, src = x + inputRow + columnOffset
            let wv = w[tap]
            let (lo, hi) = g.validColumns(offset: columnOffset)
            if g.sW == 1 {
                for ow in lo..<hi { row[ow] += wv * src[ow] }
            } else {
                let s = g.sW
                for ow in lo..<hi { row[ow] += wv * src[ow * s] }
            }
        }
    }
}

/// An activation folded into a convolution's output write: `min(max(y, low), high)` in Clip's
/// order (ReLU is `[0, inf]`, ReLU6 / Clip `[low, high]`).
package struct ConvolutionClamp: Sendable, Equatable {
    package var low: Float, high: Float
    package init(low: Float, high: Float) { self.low = low; self.high = high }

    @inline(__always)
    package func apply(_ v: Float) -> Float {
        let raised = v < low ? low : v
        return raised > high ? high : raised
    }
}
