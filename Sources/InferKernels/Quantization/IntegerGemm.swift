/// Integer matrix products with Int32 accumulation (wrapping, as int32 hardware does), for
/// MatMulInteger, ConvInteger and the QLinear ops. Operands arrive already widened to Int32
/// with their zero points subtracted.
package enum IntegerGemm {
    /// `c[m, n] = a[m, k] @ b[k, n]` (c is overwritten).
    package static func multiply(_ a: UnsafePointer<Int32>, _ b: UnsafePointer<Int32>, m: Int, k: Int, n: Int,
                                 into c: UnsafeMutablePointer<Int32>) {
        wrappingProduct(a, b, m: m, k: k, n: n, into: c)
    }

    /// `c[m, n] = a[m, k] @ b[k, n]` in any fixed-width integer, wrapping on overflow (also
    /// IntegerMatMul's per-batch step). i-p-j order: the inner loop runs over a contiguous row
    /// of b and c.
    @inline(__always)
    static func wrappingProduct<T: FixedWidthInteger>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, m: Int, k: Int, n: Int,
                                                      into c: UnsafeMutablePointer<T>) {
        for i in 0..<m {
            let row = c + i * n
            row.update(repeating: 0, count: n)
            for p in 0..<k {
                let av = a[i * k + p]
                if av == 0 { continue }
                let brow = b + p * n
                for j in 0..<n { row[j] = row[j] &+ av &* brow[j] }
            }
        }
    }

    /// `value - zeroPoint[index]` widened to Int32, where the zero point of element `e` is
    /// `zeroPoint[(e / inner) % period]` (period 1: one zero point for all).
    @_specialize(where T == Int8)
    @_specialize(where T == UInt8)
    package static func widen<T: FixedWidthInteger>(_ x: UnsafePointer<T>, count: Int, zeroPoint: UnsafePointer<T>?,
                                                    period: Int, inner: Int, into out: UnsafeMutablePointer<Int32>) {
        guard let zeroPoint else {
            for e in 0..<count { out[e] = Int32(x[e]) }
            return
        }
        if period == 1 {
            let z = Int32(zeroPoint[0])
            for e in 0..<count { out[e] = Int32(x[e]) - z }
            return
        }
        for e in 0..<count { out[e] = Int32(x[e]) - Int32(zeroPoint[(e / inner) % period]) }
    }

    /// Requantizes Int32 accumulators: `clamp(round_half_even(acc * multiplier[channel]) + zeroPoint)`,
    /// in Double as the reference does (int32 array times float32 promotes to float64). The
    /// multiplier of element `e` is `multiplier[(e / inner) % period]`.
    @_specialize(where Q == Int8)
    @_specialize(where Q == UInt8)
    package static func requantize<Q: FixedWidthInteger>(_ acc: UnsafePointer<Int32>, count: Int, multiplier: [Double],
                                                         inner: Int, zeroPoint: Double, into y: UnsafeMutablePointer<Q>) {
        let period = multiplier.count
        for e in 0..<count {
            let scale = period == 1 ? multiplier[0] : multiplier[(e / inner) % period]
            y[e] = LinearQuantization.saturate((Double(acc[e]) * scale + zeroPoint).rounded(.toNearestOrEven), Q.self)
        }
    }
}
