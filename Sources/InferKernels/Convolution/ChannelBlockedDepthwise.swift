import CInferSIMD

/// Depthwise 2-D convolution of any kernel size, stride and dilation (channel multiplier 1),
/// sixteen channels at a time: the 5x5 and 7x7 depthwise layers of EfficientNet, MobileNetV3
/// and ConvNeXt, which the planar 3x3 kernel does not cover.
///
/// In NCHW a small plane (14x14, 7x7) gives a row loop too short to vectorize, and each of the
/// k² taps re-walks the row bounds. Here each block of sixteen channels is first copied into a
/// zero-padded, channel-interleaved buffer `[paddedH][paddedW][16]`; then every output position
/// is k² multiply-adds on whole SIMD16 registers with no bounds checks (padding is real zeros),
/// and the sixteen results are stored to their sixteen planes with bias and clamp applied; `finish`
/// gets each block's planes once they are written. On AVX-512 and AVX2 CPUs CInferSIMD runs each
/// block (the interleave and the stores as register transposes); this Swift code is the fallback.
package enum ChannelBlockedDepthwise {
    package typealias Vector = SIMD16<Float>
    static let lanes = 16

    /// A 2-D window with channel multiplier 1 (`channels == outChannels`): what this kernel runs.
    package static func applies(to g: WindowGeometry, channels: Int, outChannels: Int) -> Bool {
        g.kD == 1 && g.inD == 1 && g.outD == 1 && channels == outChannels && g.pH >= 0 && g.pW >= 0
    }

    package static func run(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            output: UnsafeMutablePointer<Float>, batch: Int, channels: Int, geometry g: WindowGeometry,
                            clamp: ConvolutionClamp?, threads: Int, finish: (Range<Int>) -> Void = { _ in }) {
        let blocks = (channels + lanes - 1) / lanes
        let paddedH = max(g.inH + g.pH + g.eH, (g.outH - 1) * g.sH + (g.kH - 1) * g.dH + 1)
        let paddedW = max(g.inW + g.pW + g.eW, (g.outW - 1) * g.sW + (g.kW - 1) * g.dW + 1)
        let low = clamp?.low ?? -.infinity, high = clamp?.high ?? .infinity
        let work = batch * channels * g.outputSize * g.kernelSize
        ParallelFor.forEach(batch * blocks, work: work, threads: threads) { job in
            let n = job / blocks, first = (job % blocks) * lanes, count = min(lanes, channels - first)
            // Scratch per block: the padded input (~1 MB at 112x112; 64-byte aligned for the
            // AVX-512 kernel), one output row and the block's k² weight vectors.
            let rowFloats = (g.outW + lanes - 1) / lanes * lanes * lanes
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: (paddedH * paddedW * lanes + rowFloats) * 4, alignment: 64)
            let padded = scratch.bindMemory(to: Vector.self, capacity: paddedH * paddedW)
            let taps = UnsafeMutablePointer<Vector>.allocate(capacity: g.kH * g.kW)
            defer { scratch.deallocate(); taps.deallocate() }
            // Written as floats: a SIMD16 lane insert spills the whole vector to the stack in the
            // baseline build (6% of an EfficientNet-B0 run for 25 taps x 16 lanes per block).
            let kernelSize = g.kH * g.kW
            taps.initialize(repeating: Vector(), count: kernelSize)
            let tapFloats = UnsafeMutableRawPointer(taps).assumingMemoryBound(to: Float.self)
            for l in 0..<count {
                let w = weights + (first + l) * kernelSize
                for t in 0..<kernelSize { tapFloats[t * lanes + l] = w[t] }
            }
            var b = Vector()
            if let bias { for l in 0..<count { b[l] = bias[first + l] } }
            let x = input + (n * channels + first) * g.inputSize
            let y = output + (n * channels + first) * g.outputSize
            let level = SIMDKernels.level
            if level > .baseline {
                // CInferSIMD's block kernel: the interleave and the stores as register transposes.
                let kernel = level == .avx512 ? cinfer_depthwise_blocked_avx512 : cinfer_depthwise_blocked_avx2
                var window = cinfer_window(inH: g.inH, inW: g.inW, outH: g.outH, outW: g.outW, kH: g.kH, kW: g.kW,
                                           sH: g.sH, sW: g.sW, dH: g.dH, dW: g.dW, pH: g.pH, pW: g.pW)
                let floats = scratch.assumingMemoryBound(to: Float.self)
                withUnsafePointer(to: &b) { bias in
                    kernel(x, y, count, UnsafeRawPointer(taps).assumingMemoryBound(to: Float.self),
                           UnsafeRawPointer(bias).assumingMemoryBound(to: Float.self), low, high,
                           &window, floats, paddedH, paddedW, floats + paddedH * paddedW * lanes)
                }
                finish((n * channels + first)..<(n * channels + first + count))
                return
            }
            pack(x, count: count, g, into: padded, paddedW: paddedW, paddedH: paddedH)
            let lowV = Vector(repeating: low), highV = Vector(repeating: high)
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    var acc = b
                    var t = 0
                    for kh in 0..<g.kH {
                        let row = padded + (oh * g.sH + kh * g.dH) * paddedW + ow * g.sW
                        for kw in 0..<g.kW {
                            acc += taps[t] * row[kw * g.dW]
                            t += 1
                        }
                    }
                    // Clip's order: raise to low, then cap at high (NaN stays NaN).
                    acc.replace(with: lowV, where: acc .< lowV)
                    acc.replace(with: highV, where: acc .> highV)
                    let o = y + oh * g.outW + ow
                    for l in 0..<count { o[l * g.outputSize] = acc[l] }
                }
            }
            // The planes `n * channels + first ..<+ count` are written: the caller's tail on them.
            finish((n * channels + first)..<(n * channels + first + count))
        }
    }

    /// Channels `0..<count` of one image's block, interleaved and surrounded by zero padding.
    @inline(__always)
    static func pack(_ x: UnsafePointer<Float>, count: Int, _ g: WindowGeometry, into padded: UnsafeMutablePointer<Vector>,
                     paddedW: Int, paddedH: Int) {
        padded.initialize(repeating: Vector(), count: paddedH * paddedW)
        let raw = UnsafeMutableRawPointer(padded).assumingMemoryBound(to: Float.self)
        for l in 0..<count {
            let plane = x + l * g.inputSize
            for ih in 0..<g.inH {
                let src = plane + ih * g.inW
                let dst = raw + ((ih + g.pH) * paddedW + g.pW) * lanes + l
                for iw in 0..<g.inW { dst[iw * lanes] = src[iw] }
            }
        }
    }
}
