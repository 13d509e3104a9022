import InferIR
import Testing
@testable import InferKernels

/// Winograd F(4x4, 3x3) against a naive direct convolution (in Double), over output sizes that
/// are and are not multiples of the 4x4 tile, every padding, bias and batch; and the layers
/// `Convolution.algorithm` sends to it. Every case runs at each SIMD level the CPU has (the
/// AVX2 transforms in CInferSIMD, eight tiles per register, and the Swift ones).
@Suite struct WinogradTests {
    static func naive(_ x: [Float], _ w: [Float], _ bias: [Float]?, batch: Int, c: Int, m: Int, _ g: WindowGeometry) -> [Double] {
        var y = [Double](repeating: 0, count: batch * m * g.outputSize)
        for n in 0..<batch { for oc in 0..<m { for oh in 0..<g.outH { for ow in 0..<g.outW {
            var s = Double(bias?[oc] ?? 0)
            for ic in 0..<c { for kh in 0..<3 { for kw in 0..<3 {
                let ih = oh - g.pH + kh, iw = ow - g.pW + kw
                if ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW { continue }
                s += Double(x[((n * c + ic) * g.inH + ih) * g.inW + iw]) * Double(w[((oc * c + ic) * 3 + kh) * 3 + kw])
            } } }
            y[((n * m + oc) * g.outH + oh) * g.outW + ow] = s
        } } } }
        return y
    }

    static func geometry(_ h: Int, _ w: Int, pads: [Int]) -> WindowGeometry {
        WindowGeometry(input: [h, w], output: [h + pads[0] + pads[2] - 2, w + pads[1] + pads[3] - 2], kernel: [3, 3],
                       strides: [1, 1], dilations: [1, 1], padsBegin: [pads[0], pads[1]], padsEnd: [pads[2], pads[3]])!
    }

    /// (h, w, pads [top, left, bottom, right], C, M, batch, bias)
    @Test(arguments: [(8, 8, [1, 1, 1, 1], 3, 5, 1, true), (7, 9, [0, 0, 0, 0], 2, 3, 2, false),
                      (18, 15, [1, 1, 1, 1], 16, 24, 2, true), (17, 21, [0, 1, 2, 0], 4, 4, 1, true),
                      (3, 3, [1, 1, 1, 1], 1, 1, 1, true), (5, 30, [2, 0, 1, 3], 3, 2, 1, false),
                      // Many interior tiles: 8-tile blocks that cross tile rows, and a ragged last block.
                      (56, 56, [1, 1, 1, 1], 3, 2, 1, true), (30, 37, [1, 1, 1, 1], 2, 3, 1, false)])
    func matchesTheDirectConvolution(h: Int, w: Int, pads: [Int], c: Int, m: Int, batch: Int, withBias: Bool) {
        let g = Self.geometry(h, w, pads: pads)
        #expect(WinogradConvolution.applies(to: g))
        var rng = SplitMix64(seed: UInt64(h * 1000 + w * 10 + c))
        let x = (0..<batch * c * g.inputSize).map { _ in rng.nextFloat() }
        let weights = (0..<m * c * 9).map { _ in rng.nextFloat() / 2 }
        let bias: [Float]? = withBias ? (0..<m).map { _ in rng.nextFloat() } : nil
        var u = [Float](repeating: .nan, count: WinogradConvolution.transformedWeightCount(inChannels: c, outChannels: m))
        WinogradConvolution.transformWeights(weights, outChannels: m, inChannels: c, into: &u)
        var scratch = [Float](repeating: .nan, count: WinogradConvolution.scratchCount(inChannels: c, outChannels: m, geometry: g))
        var y = [Float](repeating: .nan, count: batch * m * g.outputSize)
        for threads in [1, 2] { for level in SIMDKernels.testedLevels {
            y = [Float](repeating: .nan, count: y.count)
            SIMDKernels.capped(at: level) {
                scratch.withUnsafeMutableBufferPointer { s in
                    bias.withOptionalPointer { b in
                        WinogradConvolution.convolve(input: x, transformedWeights: u, bias: b, output: &y, batch: batch,
                                                     inChannels: c, outChannels: m, geometry: g, scratch: s.baseAddress!,
                                                     threads: threads)
                    }
                }
            }
            let want = Self.naive(x, weights, bias, batch: batch, c: c, m: m, g)
            let scale = want.map(abs).max() ?? 1
            let worst = zip(y, want).map { abs(Double($0) - $1) }.max() ?? .nan
            // The transforms reassociate and scale by up to 8x: measured up to 3.5e-6 of the largest
            // output (18x15, C=16); a wrong tap or tile would be off by the size of the outputs.
            #expect(worst <= 1e-5 * max(scale, 1), "\(level.name): max |error| \(worst) for outputs up to \(scale)")
            #expect(!y.contains { $0.isNaN }, "\(level.name): every output element is written")
        } }
    }

    @Test func algorithmChoosesWinogradOnlyWhereItApplies() {
        let layer = Self.geometry(56, 56, pads: [1, 1, 1, 1])
        #expect(Convolution.algorithm(inChannels: 64, outChannels: 64, group: 1, geometry: layer, weightsFixed: true) == .winograd)
        // Weights that change every run would be transformed every run: im2col instead.
        #expect(Convolution.algorithm(inChannels: 64, outChannels: 64, group: 1, geometry: layer, weightsFixed: false) == .im2col)
        #expect(Convolution.algorithm(inChannels: 64, outChannels: 64, group: 2, geometry: layer, weightsFixed: true) == .im2col)
        // 14x14 and 7x7 outputs are 16 and 4 tiles: the transformed filter read dominates, im2col wins.
        for size in [14, 7] {
            let small = Self.geometry(size, size, pads: [1, 1, 1, 1])
            #expect(Convolution.algorithm(inChannels: 256, outChannels: 256, group: 1, geometry: small, weightsFixed: true) == .im2col)
        }
        let layer2 = Self.geometry(28, 28, pads: [1, 1, 1, 1])
        #expect(Convolution.algorithm(inChannels: 128, outChannels: 128, group: 1, geometry: layer2, weightsFixed: true) == .winograd)
        let strided = WindowGeometry(input: [56, 56], output: [28, 28], kernel: [3, 3], strides: [2, 2], dilations: [1, 1],
                                     padsBegin: [1, 1], padsEnd: [1, 1])!
        #expect(!WinogradConvolution.applies(to: strided))
        #expect(Convolution.algorithm(inChannels: 64, outChannels: 64, group: 1, geometry: strided, weightsFixed: true) == .im2col)
    }
}

extension Optional where Wrapped == [Float] {
    func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .some(let values): values.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: body(nil)
        }
    }
}
