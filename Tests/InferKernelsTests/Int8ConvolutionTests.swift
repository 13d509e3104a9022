import CInferSIMD
import Foundation
import Testing
import InferIR
@testable import InferKernels

/// The int8 convolution (`Int8Convolution`: uint8 patches with the zero point in the padding,
/// the int8 GEMM, the product transposed into planes), for every int8 GEMM variant this machine
/// runs, against a direct integer convolution written here: with unit scales each output is its
/// exact integer sum, and with real scales the float result within rounding of it.
@Suite struct Int8ConvolutionTests {
    struct Layer: CustomStringConvertible, Sendable {
        var channels: Int, outChannels: Int, input: [Int], kernel: [Int]
        var strides: [Int], padsBegin: [Int], padsEnd: [Int], dilations: [Int]
        var batch = 1
        /// Small tiles (several per image) and 2 threads forced to split.
        var tileRows: Int? = nil
        var threads = 1

        var output: [Int] {
            input.indices.map { i in
                (input[i] + padsBegin[i] + padsEnd[i] - dilations[i] * (kernel[i] - 1) - 1) / strides[i] + 1
            }
        }
        var geometry: WindowGeometry {
            WindowGeometry(input: input, output: output, kernel: kernel, strides: strides, dilations: dilations,
                           padsBegin: padsBegin, padsEnd: padsEnd)!
        }
        var description: String { "C\(channels)->M\(outChannels) in \(input) k \(kernel) s \(strides) p \(padsBegin)/\(padsEnd) d \(dilations) tile \(tileRows.map(String.init) ?? "auto") threads \(threads)" }
    }

    static let layers: [Layer] = [
        Layer(channels: 5, outChannels: 7, input: [9, 11], kernel: [3, 3], strides: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], dilations: [1, 1], batch: 2),
        Layer(channels: 3, outChannels: 17, input: [15, 16], kernel: [7, 7], strides: [2, 2], padsBegin: [3, 3], padsEnd: [3, 3], dilations: [1, 1], tileRows: 5, threads: 2),
        // Pointwise: C a multiple of 4 (the GEMM reads X's channels-last rows), then not (patches built).
        Layer(channels: 20, outChannels: 16, input: [6, 7], kernel: [1, 1], strides: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0], dilations: [1, 1], tileRows: 7),
        Layer(channels: 6, outChannels: 9, input: [5, 8], kernel: [1, 1], strides: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0], dilations: [1, 1], batch: 2, tileRows: 9, threads: 2),
        Layer(channels: 4, outChannels: 3, input: [9, 9], kernel: [1, 1], strides: [2, 2], padsBegin: [0, 0], padsEnd: [0, 0], dilations: [1, 1]),
        Layer(channels: 3, outChannels: 5, input: [10, 10], kernel: [3, 3], strides: [1, 2], padsBegin: [0, 1], padsEnd: [2, 0], dilations: [2, 2], tileRows: 6, threads: 2),
        Layer(channels: 4, outChannels: 6, input: [30], kernel: [5], strides: [2], padsBegin: [2], padsEnd: [1], dilations: [1], batch: 2, tileRows: 4, threads: 2),
        Layer(channels: 2, outChannels: 3, input: [4, 5, 5], kernel: [3, 3, 3], strides: [1, 1, 1], padsBegin: [1, 1, 1], padsEnd: [1, 1, 1], dilations: [1, 1, 1]),
    ]

    static let cases: [(Int8Kernel, Int)] = Int8Kernel.available.flatMap { k in layers.indices.map { (k, $0) } }

    /// Sum over the window of (x - zero) * w, the zero point standing in for the padding (so it
    /// adds 0 there): output [batch, M, positions] as Int.
    static func integerReference(_ l: Layer, x: [UInt8], zero: UInt8, w: [Int8]) -> [Int] {
        let g = l.geometry, positions = g.outputSize, k = l.channels * g.kernelSize
        var out = [Int](repeating: 0, count: l.batch * l.outChannels * positions)
        for n in 0..<l.batch {
            for m in 0..<l.outChannels {
                var p = 0
                g.forEachOutput { od, oh, ow in
                    var sum = 0
                    for c in 0..<l.channels {
                        for kd in 0..<g.kD { for kh in 0..<g.kH { for kw in 0..<g.kW {
                            let id = od * g.sD - g.pD + kd * g.dD, ih = oh * g.sH - g.pH + kh * g.dH, iw = ow * g.sW - g.pW + kw * g.dW
                            let inside = id >= 0 && id < g.inD && ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW
                            let v = inside ? Int(x[((n * l.channels + c) * g.inD + id) * g.inH * g.inW + ih * g.inW + iw]) : Int(zero)
                            let tap = ((c * g.kD + kd) * g.kH + kh) * g.kW + kw
                            sum += (v - Int(zero)) * Int(w[m * k + tap])
                        } } }
                    }
                    out[(n * l.outChannels + m) * positions + p] = sum
                    p += 1
                }
            }
        }
        return out
    }

    static func convolution(_ l: Layer, kernel: Int8Kernel, zero: UInt8, w: [Int8], inputScale: Float,
                            weightScales: [Float]) -> Int8Convolution {
        w.withUnsafeBufferPointer { wp in
            weightScales.withUnsafeBufferPointer { sp in
                Int8Convolution(weights: wp.baseAddress!, weightScales: sp.baseAddress!, inChannels: l.channels,
                                outChannels: l.outChannels, geometry: l.geometry, inputScale: inputScale, inputZero: zero,
                                threads: l.threads, kernel: kernel, tileRows: l.tileRows)
            }
        }
    }

    /// Y of `T` (float, or bytes when `output` makes the Output for Y's pointer), on 2 threads
    /// forced to split when the layer asks for them.
    static func run<T>(_ l: Layer, kernel: Int8Kernel, x: [UInt8], zero: UInt8, w: [Int8], inputScale: Float,
                       weightScales: [Float], bias: [Float]?, fill: T,
                       output: (UnsafeMutablePointer<T>) -> Int8Convolution.Output) -> [T] {
        let conv = convolution(l, kernel: kernel, zero: zero, w: w, inputScale: inputScale, weightScales: weightScales)
        var y = [T](repeating: fill, count: l.batch * l.outChannels * l.geometry.outputSize)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                let target = output(yp.baseAddress!)
                let go = { conv.run(input: xp.baseAddress!, bias: bias, output: target, batch: l.batch, threads: l.threads) }
                if l.threads > 1 { ParallelFor.forcingEverySplit(go) } else { go() }
            }
        }
        return y
    }

    static func run(_ l: Layer, kernel: Int8Kernel, x: [UInt8], zero: UInt8, w: [Int8], inputScale: Float,
                    weightScales: [Float], bias: [Float]?) -> [Float] {
        run(l, kernel: kernel, x: x, zero: zero, w: w, inputScale: inputScale, weightScales: weightScales, bias: bias,
            fill: Float.nan) { .float($0) }
    }

    static func operands(_ l: Layer, seed: Int) -> (x: [UInt8], zero: UInt8, w: [Int8]) {
        var rng = SplitMix64(seed: UInt64(seed))
        let xCount = l.batch * l.channels * l.input.reduce(1, *), wCount = l.outChannels * l.channels * l.kernel.reduce(1, *)
        // Both extremes of each operand, and a zero point away from 0 so the padding matters.
        let x = (0..<xCount).map { i in i % 11 == 0 ? UInt8(255) : i % 13 == 0 ? 0 : UInt8(rng.below(256)) }
        let w = (0..<wCount).map { i in i % 7 == 0 ? Int8(-128) : i % 9 == 0 ? 127 : Int8(truncatingIfNeeded: rng.below(256)) }
        return (x, UInt8(90 + rng.below(80)), w)
    }

    /// Unit scales: every output is its integer sum (exact as a float below 2^24) plus an
    /// integral bias, so any wrong tap, zero point, tile edge or transpose shows.
    @Test(arguments: cases)
    func integerSumsAreExact(kernel: Int8Kernel, layerIndex: Int) {
        let l = Self.layers[layerIndex]
        let (x, zero, w) = Self.operands(l, seed: layerIndex + 3)
        let bias = (0..<l.outChannels).map { Float($0 % 5) - 2 }
        let y = Self.run(l, kernel: kernel, x: x, zero: zero, w: w, inputScale: 1,
                         weightScales: [Float](repeating: 1, count: l.outChannels), bias: bias)
        let want = Self.integerReference(l, x: x, zero: zero, w: w)
        let positions = l.geometry.outputSize
        var wrong = 0
        for i in want.indices where y[i] != Float(want[i] + Int(bias[(i / positions) % l.outChannels])) {
            if wrong < 3 { Issue.record("\(kernel) \(l) [\(i)]: \(y[i]) vs \(want[i]) + bias") }
            wrong += 1
        }
        #expect(wrong == 0, "\(kernel) \(l): \(wrong) of \(want.count) outputs wrong")
        #expect(Set(want).count > want.count / 4, "\(l): the reference is nearly constant, so it proves little")
    }

    /// One layer's operands with real scales (per output channel) and a float bias, run on one
    /// kernel into any `Output`.
    struct ScaledCase {
        let layer: Layer, kernel: Int8Kernel
        let x: [UInt8], zero: UInt8, w: [Int8]
        let inputScale: Float, scales: [Float], bias: [Float]

        init(_ layerIndex: Int, kernel: Int8Kernel, seed: Int, inputScale: Float, scaleStep: Float, biasStep: Float) {
            layer = Int8ConvolutionTests.layers[layerIndex]
            self.kernel = kernel
            (x, zero, w) = Int8ConvolutionTests.operands(layer, seed: seed)
            self.inputScale = inputScale
            scales = (0..<layer.outChannels).map { 0.002 + Float($0) * scaleStep }
            bias = (0..<layer.outChannels).map { Float($0) * biasStep - 1 }
        }

        func run<T>(fill: T, output: (UnsafeMutablePointer<T>) -> Int8Convolution.Output) -> [T] {
            Int8ConvolutionTests.run(layer, kernel: kernel, x: x, zero: zero, w: w, inputScale: inputScale, weightScales: scales,
                                     bias: bias, fill: fill, output: output)
        }

        var floatOutput: [Float] { run(fill: Float.nan) { .float($0) } }
    }

    /// Real scales and a float bias: the integer sum scaled, within rounding.
    @Test(arguments: cases)
    func scaledOutputsMatchTheDequantizedConvolution(kernel: Int8Kernel, layerIndex: Int) {
        let c = ScaledCase(layerIndex, kernel: kernel, seed: layerIndex + 40, inputScale: 0.0173, scaleStep: 3e-4, biasStep: 0.37)
        let l = c.layer, y = c.floatOutput
        let want = Self.integerReference(l, x: c.x, zero: c.zero, w: c.w)
        let positions = l.geometry.outputSize
        var worst: Float = 0
        for i in want.indices {
            let m = (i / positions) % l.outChannels
            let expected = Float(want[i]) * c.inputScale * c.scales[m] + c.bias[m]
            worst = max(worst, abs(y[i] - expected) / max(1, abs(expected)))
        }
        #expect(worst <= 1e-5, "\(kernel) \(l): relative error \(worst)")
    }

    /// With the next QuantizeLinear fused (Y_scale, Y_zero_point), Y is the float Y quantized by
    /// ONNX's rule, bit for bit, for uint8 and int8 Y: what the unfused QDQ graph computes.
    @Test(arguments: cases)
    func quantizedOutputIsTheFloatOutputQuantized(kernel: Int8Kernel, layerIndex: Int) {
        let c = ScaledCase(layerIndex, kernel: kernel, seed: layerIndex + 70, inputScale: 0.021, scaleStep: 2e-4, biasStep: 0.5)
        let l = c.layer, y = c.floatOutput
        // A scale that spreads Y over most of the byte range, so rounding and both clamps happen.
        let spread = (y.max()! - y.min()!) / 200
        let unsigned = c.run(fill: UInt8(0xAA)) { .uint8($0, scale: spread, zero: 120) }
        let signed = c.run(fill: Int8(0x55)) { .int8($0, scale: spread, zero: -8) }
        let wantUnsigned = y.map { LinearQuantizationTests.reference($0, spread, UInt8(120)) }
        let wantSigned = y.map { LinearQuantizationTests.reference($0, spread, Int8(-8)) }
        let wrongUnsigned = unsigned.indices.filter { unsigned[$0] != wantUnsigned[$0] }
        let wrongSigned = signed.indices.filter { signed[$0] != wantSigned[$0] }
        #expect(wrongUnsigned.isEmpty, "\(kernel) \(l): \(wrongUnsigned.count) of \(y.count) uint8 outputs differ, first at \(wrongUnsigned.prefix(1))")
        #expect(wrongSigned.isEmpty, "\(kernel) \(l): \(wrongSigned.count) of \(y.count) int8 outputs differ, first at \(wrongSigned.prefix(1))")
        #expect(Set(wantUnsigned).count > 20, "\(l): the quantized reference is nearly constant, so it proves little")
    }

    /// The byte transpose both reshuffles use (16x16 SSE2 blocks, scalar edges), against the
    /// definition, for shapes with and without whole blocks and strides wider than the matrix.
    @Test func byteTransposeMovesEveryByte() {
        var rng = SplitMix64(seed: 5)
        for (rows, cols) in [(0, 5), (1, 1), (16, 16), (17, 33), (48, 16), (15, 70), (100, 3)] {
            let (srcStride, dstStride) = (cols + 3, rows + 5)
            let src = (0..<(rows * srcStride)).map { _ in UInt8(rng.below(256)) }
            var dst = [UInt8](repeating: 0xEE, count: max(1, cols * dstStride))
            cinfer_transpose_bytes(src, rows, cols, srcStride, &dst, dstStride)
            var wrong = 0
            for r in 0..<rows { for c in 0..<cols where dst[c * dstStride + r] != src[r * srcStride + c] { wrong += 1 } }
            #expect(wrong == 0, "\(rows)x\(cols): \(wrong) bytes misplaced")
            // Bytes outside the matrix in dst are left alone.
            let untouched = (0..<cols).allSatisfy { c in (rows..<dstStride).allSatisfy { dst[c * dstStride + $0] == 0xEE } }
            #expect(untouched, "\(rows)x\(cols): wrote past a column")
        }
    }
}
