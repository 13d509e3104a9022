import Testing
@testable import InferKernels

/// Convolution paths at the kernel level: which path a shape takes, caller-provided scratch,
/// and each path against a naive direct 2-D convolution.
@Suite struct ConvKernelTests {
    static func geometry(_ h: Int, _ w: Int, k: Int, stride: Int = 1, pad: Int = 0, dilation: Int = 1) -> WindowGeometry {
        let eff = dilation * (k - 1) + 1
        let oh = (h + 2 * pad - eff) / stride + 1, ow = (w + 2 * pad - eff) / stride + 1
        return WindowGeometry(input: [h, w], output: [oh, ow], kernel: [k, k], strides: [stride, stride],
                              dilations: [dilation, dilation], padsBegin: [pad, pad], padsEnd: [pad, pad])!
    }

    static func naive(_ x: [Float], _ w: [Float], c: Int, m: Int, group: Int, _ g: WindowGeometry) -> [Float] {
        let cg = c / group, mg = m / group
        var y = [Float](repeating: 0, count: m * g.outputSize)
        for oc in 0..<m { for oh in 0..<g.outH { for ow in 0..<g.outW {
            var s: Float = 0
            for ic in 0..<cg { for kh in 0..<g.kH { for kw in 0..<g.kW {
                let ih = oh * g.sH - g.pH + kh * g.dH, iw = ow * g.sW - g.pW + kw * g.dW
                if ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW { continue }
                s += x[((oc / mg * cg + ic) * g.inH + ih) * g.inW + iw] * w[((oc * cg + ic) * g.kH + kh) * g.kW + kw]
            } } }
            y[(oc * g.outH + oh) * g.outW + ow] = s
        } } }
        return y
    }

    @Test func pathSelection() {
        #expect(Convolution.path(inChannels: 8, group: 1, geometry: Self.geometry(5, 5, k: 1)) == .pointwise)
        #expect(Convolution.path(inChannels: 8, group: 8, geometry: Self.geometry(5, 5, k: 3, pad: 1)) == .depthwise)
        #expect(Convolution.path(inChannels: 8, group: 2, geometry: Self.geometry(5, 5, k: 3, pad: 1)) == .im2col)
        #expect(Convolution.path(inChannels: 8, group: 1, geometry: Self.geometry(5, 5, k: 1, stride: 2)) == .im2col)
        #expect(Convolution.scratchCount(inChannels: 8, group: 1, geometry: Self.geometry(5, 5, k: 1)) == 0)
        #expect(Convolution.scratchCount(inChannels: 8, group: 2, geometry: Self.geometry(5, 5, k: 3, pad: 1)) == 4 * 9 * 25)
    }

    @Test(arguments: [(4, 6, 1, 3, 1, 1, 1), (4, 6, 2, 3, 2, 1, 2), (3, 3, 3, 3, 1, 1, 1), (3, 6, 3, 3, 2, 0, 1),
                      (5, 2, 1, 1, 1, 0, 1), (2, 2, 1, 2, 2, 0, 1)])
    func convolveMatchesNaive(c: Int, m: Int, group: Int, k: Int, stride: Int, pad: Int, dilation: Int) {
        let g = Self.geometry(7, 6, k: k, stride: stride, pad: pad, dilation: dilation)
        let x = (0..<c * g.inputSize).map { Float(($0 * 13) % 17) / 8 - 1 }
        let w = (0..<m * c / group * g.kernelSize).map { Float(($0 * 7) % 11) / 5 - 1 }
        let expected = Self.naive(x, w, c: c, m: m, group: group, g)
        var y = [Float](repeating: .nan, count: m * g.outputSize)
        var scratch = [Float](repeating: .nan, count: max(1, Convolution.scratchCount(inChannels: c, group: group, geometry: g)))
        scratch.withUnsafeMutableBufferPointer { s in
            Convolution.convolve(input: x, weights: w, bias: nil, output: &y, batch: 1, inChannels: c, outChannels: m,
                                 group: group, geometry: g, scratch: s.baseAddress!)
        }
        #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    @Test func im2colThenCol2imIsTheAdjoint() {
        // <im2col(x), c> == <x, col2im(c)> for any x and c.
        let g = Self.geometry(5, 4, k: 3, stride: 2, pad: 1, dilation: 1)
        let x = (0..<2 * g.inputSize).map { Float($0 % 5) - 2 }
        let cols = (0..<2 * g.kernelSize * g.outputSize).map { Float($0 % 7) - 3 }
        var im = [Float](repeating: 0, count: x.count), colsOfX = [Float](repeating: 0, count: cols.count)
        Im2Col.im2col(input: x, channels: 2, geometry: g, columns: &colsOfX)
        Im2Col.col2im(columns: cols, channels: 2, geometry: g, image: &im)
        let lhs = zip(colsOfX, cols).reduce(0) { $0 + $1.0 * $1.1 }, rhs = zip(x, im).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(lhs == rhs)
    }

    @Test func geometryRejectsUnsupportedRanks() {
        #expect(WindowGeometry(input: [2, 2, 2, 2], output: [1, 1, 1, 1], kernel: [2, 2, 2, 2], strides: [1, 1, 1, 1],
                               dilations: [1, 1, 1, 1], padsBegin: [0, 0, 0, 0], padsEnd: [0, 0, 0, 0]) == nil)
        #expect(WindowGeometry(input: [], output: [], kernel: [], strides: [], dilations: [], padsBegin: [], padsEnd: []) == nil)
    }

    @Test func parallelPlanesMatchSerial() {
        // Big enough (16 planes x 4096 outputs x 9 taps >= ParallelFor.minimumParallelWork) to
        // take the concurrentPerform path.
        let g = Self.geometry(64, 64, k: 3, pad: 1)
        #expect(16 * g.outputSize * g.kernelSize >= ParallelFor.minimumParallelWork)
        let x = (0..<16 * g.inputSize).map { Float(($0 * 13) % 17) / 8 - 1 }
        let w = (0..<16 * g.kernelSize).map { Float(($0 * 7) % 11) / 5 - 1 }
        var serial = [Float](repeating: 0, count: 16 * g.outputSize), parallel = serial
        Convolution.convolve(input: x, weights: w, bias: nil, output: &serial, batch: 1, inChannels: 16, outChannels: 16,
                             group: 16, geometry: g, threads: 1)
        Convolution.convolve(input: x, weights: w, bias: nil, output: &parallel, batch: 1, inChannels: 16, outChannels: 16,
                             group: 16, geometry: g, threads: 2)
        #expect(serial == parallel)
        #expect(zip(serial, Self.naive(x, w, c: 16, m: 16, group: 16, g)).allSatisfy { abs($0 - $1) < 1e-4 })
        var maxSerial = serial, maxParallel = serial
        Pooling.maxPool(input: x, output: &maxSerial, planes: 16, geometry: g, threads: 1)
        Pooling.maxPool(input: x, output: &maxParallel, planes: 16, geometry: g, threads: 2)
        #expect(maxSerial == maxParallel)
    }
}
