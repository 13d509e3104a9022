import Foundation
import Synchronization
import Testing
@testable import InferKernels

/// The 3x3 depthwise plane kernel (stride 1 and 2) against a naive direct convolution, on plane
/// sizes that leave no interior, a one-column interior, and wide interiors, with symmetric and
/// asymmetric pads (the border columns and the zero rows are the risky parts). Every case runs
/// at every SIMD level the CPU has: CInferSIMD's AVX-512 and AVX2 row kernels (masked ends) and
/// the Swift fallback (`SIMDKernels.capped(at:)`).
@Suite struct DepthwiseConv3x3Tests {
    /// The dispatch follows the CPU: a machine whose /proc/cpuinfo lists avx512f runs the
    /// AVX-512 kernels, else one listing avx2 and fma the AVX2 ones; a cap lowers the level.
    @Test func simdLevelFollowsTheCPU() {
        let flags = CPUFeatures.current.flags
        let expected: SIMDKernels.Level = flags.contains("avx512f") ? .avx512
            : flags.contains("avx2") && flags.contains("fma") ? .avx2 : .baseline
        #expect(SIMDKernels.cpuLevel == expected, "\(SIMDKernels.name)")
        #expect(SIMDKernels.level == SIMDKernels.processLevel && SIMDKernels.processLevel <= expected)
        #expect(SIMDKernels.capped(at: .baseline) { SIMDKernels.level } == .baseline)
        #expect(SIMDKernels.capped(at: .avx2) { SIMDKernels.level } == min(expected, .avx2))
        #expect(SIMDKernels.testedLevels.last == expected && SIMDKernels.testedLevels.first == .baseline)
    }

    /// A cap belongs to the work that set it: the pool's workers run its chunks under it, and
    /// a thread that did not set it keeps the CPU's level (tests running the fallback must not
    /// change what other tests compute at the same time).
    @Test(.enabled(if: SIMDKernels.processLevel > .baseline, "needs a level above baseline to cap"))
    func capFollowsTheWorkAndStaysOffOtherThreads() {
        let caller = pthread_self()
        let seen = Mutex<[(level: SIMDKernels.Level, onCaller: Bool)]>([])
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let other = Thread {
            inside.wait()
            let level = SIMDKernels.level
            seen.withLock { $0.append((level, false)) }
            release.signal()
        }
        other.start()
        SIMDKernels.capped(at: .baseline) {
            inside.signal()
            release.wait()
            // A region that starts while another test's job holds the pool runs inline on its
            // caller: try until one reaches a worker.
            for _ in 0..<50 {
                ParallelFor.run(count: 16, work: 1 << 30, threads: 2) { _ in
                    usleep(2_000)   // long enough that the worker claims chunks too
                    let level = SIMDKernels.level
                    let onCaller = pthread_equal(pthread_self(), caller) != 0
                    seen.withLock { $0.append((level, onCaller)) }
                }
                if seen.withLock({ $0.dropFirst().contains { !$0.onCaller } }) { break }
            }
        }
        let records = seen.withLock { $0 }
        #expect(records.first?.level == SIMDKernels.processLevel, "a thread outside the cap keeps the process's level")
        let chunks = records.dropFirst()
        #expect(chunks.count >= 2, "the region was split")
        #expect(chunks.allSatisfy { $0.level == .baseline }, "every chunk runs under the caller's cap")
        #expect(chunks.contains { !$0.onCaller }, "some chunks ran on a worker")
        #expect(SIMDKernels.level == SIMDKernels.processLevel, "the cap ends with its body")
    }

    static func naive(_ x: [Float], _ w: [Float], _ bias: [Float], c: Int, multiplier: Int, _ g: WindowGeometry) -> [Float] {
        let m = c * multiplier
        var y = [Float](repeating: 0, count: m * g.outputSize)
        for oc in 0..<m { for oh in 0..<g.outH { for ow in 0..<g.outW {
            var s = bias[oc]
            for kh in 0..<3 { for kw in 0..<3 {
                let ih = oh * g.sH - g.pH + kh, iw = ow * g.sW - g.pW + kw
                if ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW { continue }
                s += x[((oc / multiplier) * g.inH + ih) * g.inW + iw] * w[(oc * 3 + kh) * 3 + kw]
            } }
            y[(oc * g.outH + oh) * g.outW + ow] = s
        } } }
        return y
    }

    static let cases: [(h: Int, w: Int, stride: Int, padBegin: Int, padEnd: Int)] = [
        (1, 1, 1, 1, 1), (2, 2, 1, 1, 1), (3, 3, 1, 0, 0), (3, 3, 1, 1, 1), (4, 5, 1, 1, 1), (7, 7, 1, 1, 1),
        (5, 21, 1, 1, 1), (6, 19, 1, 2, 2), (8, 8, 1, 0, 2),
        (2, 2, 2, 1, 1), (3, 3, 2, 1, 1), (4, 4, 2, 0, 1), (7, 7, 2, 1, 1), (8, 8, 2, 1, 1), (9, 37, 2, 1, 1),
        (6, 20, 2, 0, 0), (5, 18, 2, 2, 2), (4, 40, 2, 0, 1), (3, 64, 1, 1, 1),
        // Several 16-output blocks and a masked end.
        (4, 113, 1, 1, 1), (5, 115, 2, 1, 1), (3, 66, 2, 0, 1), (3, 50, 1, 0, 0),
    ]

    @Test(arguments: cases, SIMDKernels.testedLevels)
    func planeKernelMatchesNaive(shape: (h: Int, w: Int, stride: Int, padBegin: Int, padEnd: Int), level: SIMDKernels.Level) {
        let (h, w, s, pb, pe) = shape
        let oh = (h + pb + pe - 3) / s + 1, ow = (w + pb + pe - 3) / s + 1
        let g = WindowGeometry(input: [h, w], output: [oh, ow], kernel: [3, 3], strides: [s, s], dilations: [1, 1],
                               padsBegin: [pb, pb], padsEnd: [pe, pe])!
        #expect(DepthwiseConvolution.isPlanar3x3(g))
        for multiplier in [1, 2] {
            let c = 3, m = c * multiplier
            let x = (0..<c * g.inputSize).map { Float(($0 * 13) % 17) / 8 - 1 }
            let wt = (0..<m * 9).map { Float(($0 * 7) % 11) / 5 - 1 }
            let bias = (0..<m).map { Float($0) * 0.25 - 0.5 }
            let expected = Self.naive(x, wt, bias, c: c, multiplier: multiplier, g)
            var y = [Float](repeating: .nan, count: m * g.outputSize)
            SIMDKernels.capped(at: level) {
                Convolution.convolve(input: x, weights: wt, bias: bias, output: &y, batch: 1, inChannels: c, outChannels: m,
                                     group: c, geometry: g)
            }
            #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-4 }, "\(shape) multiplier \(multiplier) \(level.name)")
        }
    }

    /// Bias and a Clip folded into the output write, on the 3x3 plane kernel (vector and scalar
    /// columns) and on the generic path (5x5), including NaN inputs that must stay NaN.
    @Test(arguments: [3, 5], SIMDKernels.testedLevels)
    func clampIsAppliedInTheWrite(k: Int, level: SIMDKernels.Level) {
        let (h, w) = (6, 30)
        let g = WindowGeometry(input: [h, w], output: [h, w], kernel: [k, k], strides: [1, 1], dilations: [1, 1],
                               padsBegin: [k / 2, k / 2], padsEnd: [k / 2, k / 2])!
        let c = 2
        var x = (0..<c * g.inputSize).map { Float(($0 * 13) % 17) - 8 }
        x[40] = .nan
        let wt = (0..<c * k * k).map { Float(($0 * 7) % 11) / 5 - 1 }
        let bias: [Float] = [0.5, -0.25]
        var plain = [Float](repeating: 0, count: c * g.outputSize), clamped = plain
        SIMDKernels.capped(at: level) {
            Convolution.convolve(input: x, weights: wt, bias: bias, output: &plain, batch: 1, inChannels: c, outChannels: c,
                                 group: c, geometry: g)
            Convolution.convolve(input: x, weights: wt, bias: bias, output: &clamped, batch: 1, inChannels: c, outChannels: c,
                                 group: c, geometry: g, tail: GemmEpilogue.Tail(activation: .clip(low: 0, high: 6)))
        }
        for (p, q) in zip(plain, clamped) {
            if p.isNaN { #expect(q.isNaN) } else { #expect(q == min(max(p, 0), 6)) }
        }
        #expect(plain.contains { $0.isNaN } && plain.contains { $0 > 6 } && plain.contains { $0 < 0 })
    }

    @Test func otherWindowsKeepTheGenericPath() {
        let dilated = WindowGeometry(input: [7, 7], output: [3, 3], kernel: [3, 3], strides: [1, 1], dilations: [2, 2],
                                     padsBegin: [0, 0], padsEnd: [0, 0])!
        let mixedStride = WindowGeometry(input: [7, 7], output: [5, 3], kernel: [3, 3], strides: [1, 2], dilations: [1, 1],
                                         padsBegin: [0, 0], padsEnd: [0, 0])!
        #expect(!DepthwiseConvolution.isPlanar3x3(dilated))
        #expect(!DepthwiseConvolution.isPlanar3x3(mixedStride))
    }

    @Test func batchesAndParallelPlanesMatchNaive() {
        // 2 images x 24 channels x 40x40 outputs x 9 taps: above the parallel threshold.
        let g = WindowGeometry(input: [40, 40], output: [40, 40], kernel: [3, 3], strides: [1, 1], dilations: [1, 1],
                               padsBegin: [1, 1], padsEnd: [1, 1])!
        let c = 24, batch = 2
        #expect(batch * c * g.outputSize * 9 >= ParallelFor.minimumParallelWork)
        let x = (0..<batch * c * g.inputSize).map { Float(($0 * 29) % 23) / 11 - 1 }
        let wt = (0..<c * 9).map { Float(($0 * 5) % 13) / 6 - 1 }
        let bias = [Float](repeating: 0.125, count: c)
        var y = [Float](repeating: .nan, count: batch * c * g.outputSize)
        Convolution.convolve(input: x, weights: wt, bias: bias, output: &y, batch: batch, inChannels: c, outChannels: c,
                             group: c, geometry: g, threads: 2)
        for n in 0..<batch {
            let image = Array(x[(n * c * g.inputSize)..<((n + 1) * c * g.inputSize)])
            let expected = Self.naive(image, wt, bias, c: c, multiplier: 1, g)
            let got = y[(n * c * g.outputSize)..<((n + 1) * c * g.outputSize)]
            #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }
}

/// im2col's strided row gather (stride 2 vectorized) against a plain loop, and a strided 7x7
/// convolution (the ResNet stem shape, scaled down) through im2col against the naive reference.
@Suite struct Im2ColGatherTests {
    @Test(arguments: [1, 2, 3], [0, 1, 8, 9, 17, 31])
    func gatherMatchesLoop(stride: Int, count: Int) {
        let src = (0..<max(1, (count - 1) * stride + 1)).map { Float($0) * 0.5 - 3 }
        var dst = [Float](repeating: .nan, count: count + 1)
        Im2Col.gather(&dst, src, count: count, stride: stride)
        for j in 0..<count { #expect(dst[j] == src[j * stride]) }
        #expect(dst[count].isNaN)
    }

    @Test func strided7x7ConvolutionMatchesNaive() {
        let g = WindowGeometry(input: [23, 41], output: [12, 21], kernel: [7, 7], strides: [2, 2], dilations: [1, 1],
                               padsBegin: [3, 3], padsEnd: [3, 3])!
        let (c, m) = (3, 4)
        let x = (0..<c * g.inputSize).map { Float(($0 * 13) % 17) / 8 - 1 }
        let w = (0..<m * c * g.kernelSize).map { Float(($0 * 7) % 11) / 5 - 1 }
        let expected = ConvKernelTests.naive(x, w, c: c, m: m, group: 1, g)
        var y = [Float](repeating: .nan, count: m * g.outputSize)
        Convolution.convolve(input: x, weights: w, bias: nil, output: &y, batch: 1, inChannels: c, outChannels: m,
                             group: 1, geometry: g)
        #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-3 })
    }
}
