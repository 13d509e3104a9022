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
