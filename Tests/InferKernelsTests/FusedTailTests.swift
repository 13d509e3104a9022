import Foundation
import Testing
@testable import InferKernels

/// Epilogue tails run inside the kernels' own passes over their output. Convolutions cut into
/// one part per thread (`GemmParts`): the parts tile C exactly, a part's im2col columns are the
/// full matrix's, and pointwise / im2col convolutions with bias, activation and residual in
/// each part match a naive convolution followed by the scalar epilogue, on one thread and split
/// over two; Winograd and depthwise kernels apply a tail per plane.
@Suite struct FusedTailTests {
    @Test(arguments: [(16, 4096, 27, 1), (16, 4096, 27, 2), (128, 49, 64, 2), (2048, 49, 512, 2), (96, 12544, 16, 2),
                      (3, 5, 7, 2), (1, 1, 1, 2), (40, 40, 40, 3), (17, 33, 1, 2)])
    func partsTileTheOutputOnce(m: Int, n: Int, k: Int, threads: Int) {
        let parts = ParallelFor.forcingEverySplit { GemmParts(m: m, n: n, k: k, threads: threads) }
        var covered = [Int](repeating: 0, count: m * n)
        for p in 0..<parts.count {
            let (rows, columns) = parts.part(p)
            for r in rows { for c in columns { covered[r * n + c] += 1 } }
        }
        #expect(covered.allSatisfy { $0 == 1 }, "\(m)x\(n)x\(k) on \(threads): parts overlap or leave gaps")
        #expect(parts.cutsColumns == (n > m))
        #expect(parts.count == min(threads, ((parts.cutsColumns ? n : m) + 15) / 16))
        // Below the split threshold a GEMM is one part.
        #expect(GemmParts(m: 4, n: 4, k: 4, threads: threads).count == 1)
    }

    @Test func im2colOfSomePositionsIsThoseColumnsOfTheFullMatrix() {
        for (k, stride, pad) in [(3, 1, 1), (3, 2, 1), (7, 2, 3), (1, 2, 0)] {
            let g = ConvKernelTests.geometry(13, 11, k: k, stride: stride, pad: pad)
            let channels = 2, rows = channels * g.kernelSize, n = g.outputSize
            let x = (0..<channels * g.inputSize).map { Float($0 % 23) - 11 }
            var full = [Float](repeating: .nan, count: rows * n)
            Im2Col.im2col(input: x, channels: channels, geometry: g, columns: &full)
            for span in [0..<n, 0..<1, 3..<(n - 2), (g.outW - 1)..<(2 * g.outW + 1), (n - 5)..<n] {
                var part = [Float](repeating: .nan, count: rows * span.count)
                Im2Col.im2col(input: x, channels: channels, geometry: g, columns: &part, positions: span)
                let expected = (0..<rows).flatMap { r in span.map { full[r * n + $0] } }
                #expect(part == expected, "k \(k) stride \(stride) pad \(pad) positions \(span)")
            }
        }
    }

    /// Naive conv, then y = act(y + bias) + r (the fused order without residual_before_activation).
    static func reference(_ x: [Float], _ w: [Float], _ bias: [Float], _ r: [Float], c: Int, m: Int, _ g: WindowGeometry,
                          activation: (Float) -> Float) -> [Float] {
        let y = ConvKernelTests.naive(x, w, c: c, m: m, group: 1, g)
        return y.indices.map { activation(y[$0] + bias[$0 / g.outputSize]) + r[$0] }
    }

    /// Shapes that take each path: column parts with im2col per part (partial output rows), row
    /// parts over shared columns, and pointwise in place both ways.
    @Test(arguments: [("im2col, column parts", 3, 16, 20, 20, 3, 1),
                      ("im2col stride 2, column parts", 4, 8, 23, 21, 3, 2),
                      ("im2col, row parts", 16, 64, 5, 5, 3, 1),
                      ("pointwise, column parts", 16, 24, 9, 9, 1, 1),
                      ("pointwise, row parts", 64, 80, 3, 3, 1, 1)])
    func partedConvolutionMatchesNaiveWithEpilogue(_ name: String, c: Int, m: Int, h: Int, w: Int, k: Int, stride: Int) {
        let g = ConvKernelTests.geometry(h, w, k: k, stride: stride, pad: k / 2)
        let x = (0..<c * g.inputSize).map { Float(($0 * 13) % 17) / 8 - 1 }
        let wt = (0..<m * c * g.kernelSize).map { Float(($0 * 7) % 11) / 25 - 0.2 }
        let bias = (0..<m).map { Float($0 % 5) * 0.25 - 0.5 }
        let r = (0..<m * g.outputSize).map { Float(($0 * 3) % 7) / 7 - 0.5 }
        let expected = Self.reference(x, wt, bias, r, c: c, m: m, g) { max($0, 0) }
        #expect(expected.contains { $0 > 0.5 } && expected.contains { $0 < -0.25 }, "\(name): a degenerate reference")
        for threads in [1, 2] {
            let parts = ParallelFor.forcingEverySplit { GemmParts(m: m, n: g.outputSize, k: c * g.kernelSize, threads: threads) }
            #expect(parts.count == threads, "\(name): \(parts.count) parts on \(threads) threads")
            #expect(parts.cutsColumns == name.contains("column"), "\(name): cut the other way")
            var y = [Float](repeating: .nan, count: m * g.outputSize)
            var scratch = [Float](repeating: .nan, count: max(1, Convolution.scratchCount(inChannels: c, group: 1, geometry: g)))
            ParallelFor.forcingEverySplit {
                r.withUnsafeBufferPointer { rp in
                    scratch.withUnsafeMutableBufferPointer { s in
                        Convolution.convolve(input: x, weights: wt, bias: bias, output: &y, batch: 1, inChannels: c, outChannels: m,
                                             group: 1, geometry: g, scratch: s.baseAddress!,
                                             tail: GemmEpilogue.Tail(activation: .relu, residual: rp.baseAddress!), threads: threads)
                    }
                }
            }
            let worst = zip(y, expected).map { abs($0 - $1) }.max() ?? .nan
            #expect(worst < 1e-4, "\(name) on \(threads) threads: off by \(worst)")
        }
    }

    @Test func winogradAppliesTheTailPerPlane() {
        let (c, m) = (8, 6)
        let g = ConvKernelTests.geometry(14, 13, k: 3, pad: 1)
        let x = (0..<c * g.inputSize).map { Float(($0 * 13) % 17) / 8 - 1 }
        let wt = (0..<m * c * 9).map { Float(($0 * 7) % 11) / 25 - 0.2 }
        let bias = (0..<m).map { Float($0 % 5) * 0.25 - 0.5 }
        let r = (0..<m * g.outputSize).map { Float(($0 * 3) % 7) / 7 - 0.5 }
        let expected = Self.reference(x, wt, bias, r, c: c, m: m, g) { max($0, 0) }
        var u = [Float](repeating: 0, count: WinogradConvolution.transformedWeightCount(inChannels: c, outChannels: m))
        WinogradConvolution.transformWeights(wt, outChannels: m, inChannels: c, into: &u)
        var scratch = [Float](repeating: .nan, count: WinogradConvolution.scratchCount(inChannels: c, outChannels: m, geometry: g))
        var y = [Float](repeating: .nan, count: m * g.outputSize)
        r.withUnsafeBufferPointer { rp in
            WinogradConvolution.convolve(input: x, transformedWeights: u, bias: bias, output: &y, batch: 1, inChannels: c,
                                         outChannels: m, geometry: g, scratch: &scratch,
                                         tail: GemmEpilogue.Tail(activation: .relu, residual: rp.baseAddress!), threads: 1)
        }
        let worst = zip(y, expected).map { abs($0 - $1) }.max() ?? .nan
        #expect(worst < 1e-3, "Winograd with a ReLU + residual tail: off by \(worst)")
    }

    /// Depthwise kernels with a tail their store cannot take (SiLU and a residual): the 3x3
    /// planar kernel, the channel-blocked kernel (5x5, stride 2) and the generic one (multiplier 2).
    @Test(arguments: [("3x3", 3, 1, 1), ("5x5 stride 2", 5, 2, 1), ("3x3 multiplier 2", 3, 1, 2)])
    func depthwiseAppliesATailPerPlane(_ name: String, k: Int, stride: Int, multiplier: Int) {
        let c = 20, m = c * multiplier
        let g = ConvKernelTests.geometry(15, 17, k: k, stride: stride, pad: k / 2)
        let x = (0..<c * g.inputSize).map { Float(($0 * 13) % 17) / 8 - 1 }
        let wt = (0..<m * g.kernelSize).map { Float(($0 * 7) % 11) / 10 - 0.5 }
        let bias = (0..<m).map { Float($0 % 5) * 0.25 - 0.5 }
        let r = (0..<m * g.outputSize).map { Float(($0 * 3) % 7) / 7 - 0.5 }
        let conv = ConvKernelTests.naive(x, wt, c: c, m: m, group: c, g)
        let expected = conv.indices.map { i -> Float in
            let v = Double(conv[i] + bias[i / g.outputSize])
            return Float(v / (1 + Foundation.exp(-v))) + r[i]
        }
        for threads in [1, 2] {
            var y = [Float](repeating: .nan, count: m * g.outputSize)
            ParallelFor.forcingEverySplit {
                r.withUnsafeBufferPointer { rp in
                    Convolution.convolve(input: x, weights: wt, bias: bias, output: &y, batch: 1, inChannels: c, outChannels: m,
                                         group: c, geometry: g, tail: GemmEpilogue.Tail(activation: .silu, residual: rp.baseAddress!),
                                         threads: threads)
                }
            }
            let worst = zip(y, expected).map { abs($0 - $1) }.max() ?? .nan
            #expect(worst < 1e-4, "depthwise \(name) with a SiLU + residual tail on \(threads) threads: off by \(worst)")
        }
    }
}
