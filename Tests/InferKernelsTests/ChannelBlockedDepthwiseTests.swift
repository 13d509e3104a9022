import InferIR
import Testing
@testable import InferKernels

/// The channel-blocked depthwise kernel (any 2-D window, multiplier 1) against a naive direct
/// convolution in Double: kernel sizes 5 and 7, strides 1 and 2, dilation, asymmetric pads,
/// channel counts that do not fill the last block of 16, batch 2, bias and clamp; rows wider than
/// one 16-position transpose. Every case runs at each SIMD level the CPU has (CInferSIMD's
/// AVX-512 block kernel and the Swift one).
@Suite struct ChannelBlockedDepthwiseTests {
    /// (h, w, k, stride, dilation, pads [top, left, bottom, right], channels, batch)
    @Test(arguments: [(14, 14, 5, 1, 1, [2, 2, 2, 2], 20, 1), (28, 28, 5, 2, 1, [1, 2, 2, 1], 16, 2),
                      (9, 13, 7, 1, 1, [3, 3, 3, 3], 3, 1), (11, 10, 3, 1, 2, [2, 2, 2, 2], 33, 1),
                      (7, 7, 5, 2, 1, [0, 0, 0, 0], 17, 1), (6, 5, 3, 3, 1, [1, 0, 2, 1], 5, 2),
                      (40, 37, 5, 1, 1, [2, 2, 2, 2], 18, 1), (57, 61, 5, 2, 1, [2, 2, 2, 2], 24, 1)])
    func matchesTheDirectConvolution(h: Int, w: Int, k: Int, stride: Int, dilation: Int, pads: [Int], c: Int, batch: Int) {
        let span = dilation * (k - 1) + 1
        let oh = (h + pads[0] + pads[2] - span) / stride + 1, ow = (w + pads[1] + pads[3] - span) / stride + 1
        let g = WindowGeometry(input: [h, w], output: [oh, ow], kernel: [k, k], strides: [stride, stride],
                               dilations: [dilation, dilation], padsBegin: [pads[0], pads[1]], padsEnd: [pads[2], pads[3]])!
        #expect(ChannelBlockedDepthwise.applies(to: g, channels: c, outChannels: c))
        var rng = SplitMix64(seed: UInt64(h * 100 + k * 10 + c))
        let x = (0..<batch * c * g.inputSize).map { _ in rng.nextFloat() }
        let weights = (0..<c * k * k).map { _ in rng.nextFloat() }
        let bias = (0..<c).map { _ in rng.nextFloat() }
        for level in SIMDKernels.testedLevels { for clamp in [nil, ConvolutionClamp(low: 0, high: 0.5)] {
            let tail = clamp == nil ? GemmEpilogue.Tail.none : GemmEpilogue.Tail(activation: .clip(low: 0, high: 0.5))
            var y = [Float](repeating: .nan, count: batch * c * g.outputSize)
            SIMDKernels.capped(at: level) {
                DepthwiseConvolution.run(input: x, weights: weights, bias: bias, output: &y, batch: batch, channels: c,
                                         outChannels: c, geometry: g, tail: tail, threads: 2)
            }
            var worst = 0.0
            for n in 0..<batch { for ch in 0..<c { for i in 0..<oh { for j in 0..<ow {
                var s = Double(bias[ch])
                for a in 0..<k { for b in 0..<k {
                    let ih = i * stride - pads[0] + a * dilation, iw = j * stride - pads[1] + b * dilation
                    if ih < 0 || ih >= h || iw < 0 || iw >= w { continue }
                    s += Double(x[((n * c + ch) * h + ih) * w + iw]) * Double(weights[(ch * k + a) * k + b])
                } }
                if let clamp { s = min(max(s, Double(clamp.low)), Double(clamp.high)) }
                worst = max(worst, abs(Double(y[((n * c + ch) * oh + i) * ow + j]) - s))
            } } } }
            #expect(worst < 1e-5, "\(level.name): max |error| \(worst), clamp \(String(describing: clamp))")
            #expect(!y.contains { $0.isNaN }, "\(level.name): every output element is written")
        } }
    }
}
