/// A QDQ model's depthwise 3x3 convolution (MobileNet's), `QuantizeLinear(Conv(DequantizeLinear(X),
/// W))` with X and Y quantized per tensor, one plane at a time: each input plane is dequantized
/// into scratch, convolved by `DepthwiseConvolution.plane3x3` (the float kernel the unfused Conv
/// runs, on the same dequantized float weights) and quantized as it leaves, so the result has
/// the unfused nodes' bits while their float tensors never reach memory. Each thread has scratch
/// of its own for one input and one output plane.
package final class QuantizedDepthwiseConvolution: @unchecked Sendable {
    package let geometry: WindowGeometry
    package let channels: Int
    private let parts: Int
    /// Per part: one dequantized input plane, then one float output plane.
    private let planes: UnsafeMutablePointer<Float>
    /// A zero input row plane3x3 reads above and below the plane.
    private let zeroRow: UnsafeMutablePointer<Float>

    package static func applies(to g: WindowGeometry) -> Bool { DepthwiseConvolution.isPlanar3x3(g) }

    package init(channels: Int, geometry: WindowGeometry, threads: Int) {
        precondition(Self.applies(to: geometry), "QuantizedDepthwiseConvolution runs planar 3x3 windows only")
        (self.channels, self.geometry) = (channels, geometry)
        parts = ParallelFor.maximumParts(threads)
        let perPart = geometry.inputSize + geometry.outputSize
        planes = .allocate(capacity: max(1, parts * perPart))
        planes.initialize(repeating: 0, count: max(1, parts * perPart))
        zeroRow = .allocate(capacity: max(1, geometry.inW))
        zeroRow.initialize(repeating: 0, count: max(1, geometry.inW))
    }

    deinit {
        planes.deallocate()
        zeroRow.deallocate()
    }

    /// X uint8 `[batch, channels, H, W]` with one scale and zero point, W float `[channels, 1, 3, 3]`,
    /// Y `[batch, channels, outH, outW]` quantized with `outputScale`, `outputZero`.
    @_specialize(where Q == UInt8)
    @_specialize(where Q == Int8)
    package func run<Q: FixedWidthInteger>(input: UnsafePointer<UInt8>, inputScale: Float, inputZero: UInt8,
                                           weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                           output: UnsafeMutablePointer<Q>, outputScale: Float, outputZero: Q,
                                           batch: Int, threads: Int) {
        let g = geometry, inSize = g.inputSize, outSize = g.outputSize, c = channels
        let count = batch * c, zero = UnsafePointer(zeroRow)
        ParallelFor.runParts(count: count, work: count * outSize * 9, threads: min(threads, parts)) { part, range in
            let x = planes + part * (inSize + outSize), y = x + inSize
            for plane in range {
                let channel = plane % c
                withUnsafePointer(to: inputScale) { scale in
                    withUnsafePointer(to: inputZero) { zeroPoint in
                        LinearQuantization.dequantize(input + plane * inSize, scale: scale, zeroPoint: zeroPoint,
                                                      layout: .perTensor(count: inSize), into: x)
                    }
                }
                DepthwiseConvolution.plane3x3(x: x, w: weights + channel * 9, bias: bias?[channel] ?? 0, y: y,
                                              low: -.infinity, high: .infinity, zero: zero, g)
                LinearQuantization.quantize(UnsafePointer(y), count: outSize, scale: outputScale, zero: Float(outputZero),
                                            into: output + plane * outSize)
            }
        }
    }
}
