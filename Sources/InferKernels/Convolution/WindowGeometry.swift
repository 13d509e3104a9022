/// The sliding window of a convolution or pooling over 1 to 3 spatial dims, canonicalized to
/// 3-D (missing leading dims are size 1 with a 1-wide kernel) so one set of loops serves
/// Conv1d/2d/3d and the pools. Sizes are per plane (one channel of one image).
package struct WindowGeometry: Sendable, Equatable {
    package static let maxSpatialRank = 3

    package let inD: Int, inH: Int, inW: Int
    package let outD: Int, outH: Int, outW: Int
    package let kD: Int, kH: Int, kW: Int
    package let sD: Int, sH: Int, sW: Int
    package let dD: Int, dH: Int, dW: Int
    /// Padding before each dim (may be negative for ConvTranspose with a large output_shape).
    package let pD: Int, pH: Int, pW: Int
    /// Padding after each dim (only AveragePool's count_include_pad divisor needs it).
    package let eD: Int, eH: Int, eW: Int

    /// nil when the rank is 0 or above `maxSpatialRank`, or the lists disagree in length.
    package init?(input: [Int], output: [Int], kernel: [Int], strides: [Int], dilations: [Int],
                  padsBegin: [Int], padsEnd: [Int]) {
        let r = input.count
        guard r >= 1, r <= Self.maxSpatialRank,
              [output, kernel, strides, dilations, padsBegin, padsEnd].allSatisfy({ $0.count == r }) else { return nil }
        func lift(_ v: [Int], _ fill: Int) -> [Int] { Array(repeating: fill, count: 3 - r) + v }
        let i = lift(input, 1), o = lift(output, 1), k = lift(kernel, 1)
        let s = lift(strides, 1), d = lift(dilations, 1), p = lift(padsBegin, 0), e = lift(padsEnd, 0)
        (inD, inH, inW) = (i[0], i[1], i[2])
        (outD, outH, outW) = (o[0], o[1], o[2])
        (kD, kH, kW) = (k[0], k[1], k[2])
        (sD, sH, sW) = (s[0], s[1], s[2])
        (dD, dH, dW) = (d[0], d[1], d[2])
        (pD, pH, pW) = (p[0], p[1], p[2])
        (eD, eH, eW) = (e[0], e[1], e[2])
    }

    package var inputSize: Int { inD * inH * inW }
    package var outputSize: Int { outD * outH * outW }
    package var kernelSize: Int { kD * kH * kW }

    /// A 1x1 window with stride 1 and no padding: the output is the input, no im2col needed.
    package var isPointwise: Bool {
        kernelSize == 1 && sD == 1 && sH == 1 && sW == 1 && pD == 0 && pH == 0 && pW == 0
            && outD == inD && outH == inH && outW == inW
    }

    /// Calls `body(od, oh, ow)` for every output position, in row-major (memory) order.
    @inline(__always)
    package func forEachOutput(_ body: (_ od: Int, _ oh: Int, _ ow: Int) -> Void) {
        for od in 0..<outD {
            for oh in 0..<outH {
                for ow in 0..<outW { body(od, oh, ow) }
            }
        }
    }

    /// Calls `body(kernelRow, id, ih)` for each kernel row (kd, kh) of output row (od, oh)'s window
    /// whose input row (id, ih) lies inside the input; `kernelRow` is `kd * kH + kh`.
    @inline(__always)
    package func forEachInputRow(od: Int, oh: Int, _ body: (_ kernelRow: Int, _ id: Int, _ ih: Int) -> Void) {
        for kd in 0..<kD {
            let id = od * sD - pD + kd * dD
            if id < 0 || id >= inD { continue }
            for kh in 0..<kH {
                let ih = oh * sH - pH + kh * dH
                if ih < 0 || ih >= inH { continue }
                body(kd * kH + kh, id, ih)
            }
        }
    }

    /// Calls `body(id, ih, iw)` for each tap of output (od, oh, ow)'s window that lies inside the
    /// input, in kernel order (kd, kh, kw); taps in the padding are skipped.
    @inline(__always)
    package func forEachTapInside(od: Int, oh: Int, ow: Int, _ body: (_ id: Int, _ ih: Int, _ iw: Int) -> Void) {
        forEachInputRow(od: od, oh: oh) { _, id, ih in
            for kw in 0..<kW {
                let iw = ow * sW - pW + kw * dW
                if iw >= 0 && iw < inW { body(id, ih, iw) }
            }
        }
    }

    /// The walk of kernels that keep a whole output row innermost (depthwise convolution, float
    /// max pool): for each output row (od, oh) and each tap whose input row lies inside the input,
    /// calls `body(outputRow, inputRow, tap, columnOffset)`. `outputRow` and `inputRow` are the
    /// element offsets of the two rows in their planes, `tap` is the flat kernel index
    /// (kd, kh, kw), and output column ow reads input column `ow * sW + columnOffset`, inside the
    /// input for ow in `validColumns(offset: columnOffset)`.
    @inline(__always)
    package func forEachRowTap(_ body: (_ outputRow: Int, _ inputRow: Int, _ tap: Int, _ columnOffset: Int) -> Void) {
        for od in 0..<outD {
            for oh in 0..<outH {
                let outputRow = (od * outH + oh) * outW
                forEachInputRow(od: od, oh: oh) { kernelRow, id, ih in
                    let inputRow = (id * inH + ih) * inW
                    for kw in 0..<kW { body(outputRow, inputRow, kernelRow * kW + kw, kw * dW - pW) }
                }
            }
        }
    }

    /// For the planar 3x3 fast paths (`DepthwiseConvolution.isPlanar3x3`): the output columns
    /// [lo, hi) whose three taps all lie inside the input row, so they need no bounds checks.
    package var interiorColumns3x3: (lo: Int, hi: Int) {
        // Interior: ow * sW - pW >= 0 and ow * sW - pW + 2 <= inW - 1.
        let lo = min(outW, (pW + sW - 1) / sW)
        let hi = max(lo, min(outW, inW - 3 + pW >= 0 ? (inW - 3 + pW) / sW + 1 : 0))
        return (lo, hi)
    }

    /// For the planar 3x3 fast paths: the three input rows output row `oh` reads from `plane`,
    /// with `filler` (a row of the padding value) standing in for rows outside the input.
    @inline(__always)
    package func inputRows3x3<T>(oh: Int, plane: UnsafePointer<T>, filler: UnsafePointer<T>)
        -> (UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>) {
        let ih = oh * sH - pH
        @inline(__always) func row(_ i: Int) -> UnsafePointer<T> { i >= 0 && i < inH ? plane + i * inW : filler }
        return (row(ih), row(ih + 1), row(ih + 2))
    }

    /// The output columns [lo, hi) along W whose input column `ow * sW + offset` lies in [0, inW):
    /// lets inner loops run branch-free over the valid span.
    @inline(__always)
    package func validColumns(offset: Int) -> (lo: Int, hi: Int) {
        validRange(offset: offset, stride: sW, inSize: inW, outSize: outW)
    }

    @inline(__always)
    package func validRange(offset: Int, stride: Int, inSize: Int, outSize: Int) -> (lo: Int, hi: Int) {
        let lo = offset >= 0 ? 0 : min(outSize, (-offset + stride - 1) / stride)
        let hi = inSize - offset <= 0 ? 0 : min(outSize, (inSize - offset + stride - 1) / stride)
        return (lo, max(lo, hi))
    }
}
