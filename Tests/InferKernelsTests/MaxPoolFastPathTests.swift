import Testing
@testable import InferKernels

/// The row-wise Float MaxPool (and its 3x3 plane kernel) against a per-output naive max (NaN propagates, an all-padding
/// window gives -inf), over strides 1, 2 and 3, pads, dilation, 1-D and 3-D windows.
@Suite struct MaxPoolFastPathTests {
    static func naive(_ x: [Float], planes: Int, _ g: WindowGeometry) -> [Float] {
        var y = [Float]()
        for p in 0..<planes { for od in 0..<g.outD { for oh in 0..<g.outH { for ow in 0..<g.outW {
            var best = -Float.infinity
            for kd in 0..<g.kD { for kh in 0..<g.kH { for kw in 0..<g.kW {
                let id = od * g.sD - g.pD + kd * g.dD, ih = oh * g.sH - g.pH + kh * g.dH, iw = ow * g.sW - g.pW + kw * g.dW
                if id < 0 || id >= g.inD || ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW { continue }
                let v = x[p * g.inputSize + (id * g.inH + ih) * g.inW + iw]
                if v.isNaN || v > best { best = v }
            } } }
            y.append(best)
        } } } }
        return y
    }

    static func geometry(_ input: [Int], k: [Int], s: [Int], d: [Int], pb: [Int], pe: [Int]) -> WindowGeometry {
        let out = input.indices.map { (input[$0] + pb[$0] + pe[$0] - (d[$0] * (k[$0] - 1) + 1)) / s[$0] + 1 }
        return WindowGeometry(input: input, output: out, kernel: k, strides: s, dilations: d, padsBegin: pb, padsEnd: pe)!
    }

    static let cases: [WindowGeometry] = [
        geometry([56, 56], k: [3, 3], s: [2, 2], d: [1, 1], pb: [1, 1], pe: [1, 1]),   // ResNet stem pool
        geometry([7, 9], k: [3, 3], s: [1, 1], d: [1, 1], pb: [1, 1], pe: [1, 1]),
        geometry([8, 8], k: [2, 2], s: [2, 2], d: [1, 1], pb: [0, 0], pe: [0, 0]),
        geometry([10, 11], k: [3, 2], s: [3, 3], d: [1, 1], pb: [0, 1], pe: [2, 1]),
        geometry([9, 9], k: [3, 3], s: [2, 1], d: [2, 2], pb: [1, 1], pe: [1, 1]),
        geometry([2, 2], k: [3, 3], s: [1, 1], d: [1, 1], pb: [2, 2], pe: [2, 2]),  // windows entirely in padding
        geometry([5, 40], k: [3, 3], s: [2, 2], d: [1, 1], pb: [0, 0], pe: [1, 1]),  // 3x3 kernel: vector + scalar columns
        geometry([4, 37], k: [3, 3], s: [1, 1], d: [1, 1], pb: [0, 0], pe: [0, 0]),
        geometry([3, 12], k: [3, 3], s: [2, 2], d: [1, 1], pb: [2, 2], pe: [2, 2]),
        geometry([13], k: [4], s: [2], d: [1], pb: [1], pe: [2]),
        geometry([4, 5, 6], k: [2, 3, 3], s: [2, 2, 2], d: [1, 1, 1], pb: [0, 1, 1], pe: [1, 1, 1]),
    ]

    @Test(arguments: cases)
    func matchesNaive(g: WindowGeometry) {
        let planes = 3
        var x = (0..<planes * g.inputSize).map { Float(($0 * 37) % 101) / 10 - 5 }
        x[5 % x.count] = .nan
        x[(x.count * 2) / 3] = .nan  // lands in an interior (vector) window of the wide cases
        var y = [Float](repeating: 7, count: planes * g.outputSize)
        Pooling.maxPool(input: x, output: &y, planes: planes, geometry: g, threads: 1)
        let expected = Self.naive(x, planes: planes, g)
        #expect(y.count == expected.count)
        for (a, b) in zip(y, expected) {
            #expect(a == b || (a.isNaN && b.isNaN), "\(g)")
        }
    }
}
