/// `y = QuantizeLinear(DequantizeLinear(a) + DequantizeLinear(b))` with one scale and zero point
/// per tensor (a QDQ model's residual add), in one pass over the bytes: each block of elements
/// is dequantized, added and quantized while it is in L1, with the same float operations as the
/// three unfused nodes (so the same bits) but none of their float tensors written to memory.
package enum QuantizedAdd {
    /// One 8-bit tensor's parameters.
    package struct Operand<Q: FixedWidthInteger> {
        package let values: UnsafePointer<Q>
        package let scale: Float
        package let zero: Q

        package init(_ values: UnsafePointer<Q>, scale: Float, zero: Q) {
            (self.values, self.scale, self.zero) = (values, scale, zero)
        }
    }

    /// Elements per block: three float blocks of this size fit in L1 with room to spare.
    static let blockSize = 2048

    /// a, b and y of one 8-bit type (what quantize_static writes: uint8 activations).
    @_specialize(where Q == UInt8)
    @_specialize(where Q == Int8)
    package static func run<Q: FixedWidthInteger>(_ a: Operand<Q>, _ b: Operand<Q>, count: Int, scale: Float, zero: Q,
                                                  into y: UnsafeMutablePointer<Q>, threads: Int) {
        let blocks = (count + blockSize - 1) / blockSize
        ParallelFor.run(count: blocks, work: count * 8, threads: threads) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * blockSize) { scratch in
                let sumBlock = scratch.baseAddress!, bBlock = sumBlock + blockSize
                for block in range {
                    let start = block * blockSize, n = min(blockSize, count - start)
                    dequantize(a, from: start, count: n, into: sumBlock)
                    dequantize(b, from: start, count: n, into: bBlock)
                    for i in 0..<n { sumBlock[i] += bBlock[i] }
                    LinearQuantization.quantize(UnsafePointer(sumBlock), count: n, scale: scale, zero: Float(zero), into: y + start)
                }
            }
        }
    }

    @inline(__always)
    private static func dequantize<Q: FixedWidthInteger>(_ x: Operand<Q>, from start: Int, count: Int,
                                                          into block: UnsafeMutablePointer<Float>) {
        withUnsafePointer(to: x.scale) { scale in
            withUnsafePointer(to: x.zero) { zero in
                LinearQuantization.dequantize(x.values + start, scale: scale, zeroPoint: zero, layout: .perTensor(count: count), into: block)
            }
        }
    }
}
