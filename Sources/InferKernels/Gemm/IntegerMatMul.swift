/// Batched integer matrix product (BLAS has none): C[i] = A[aOffsets[i]] (m x k) * B[bOffsets[i]] (k x n),
/// row-major and contiguous, wrapping on overflow like ONNX Runtime.
package enum IntegerMatMul {
    package static func run(a: UnsafePointer<Int32>, aOffsets: [Int], b: UnsafePointer<Int32>, bOffsets: [Int],
                            c: UnsafeMutablePointer<Int32>, m: Int, n: Int, k: Int) {
        batched(a: a, aOffsets: aOffsets, b: b, bOffsets: bOffsets, c: c, m: m, n: n, k: k)
    }

    package static func run(a: UnsafePointer<Int64>, aOffsets: [Int], b: UnsafePointer<Int64>, bOffsets: [Int],
                            c: UnsafeMutablePointer<Int64>, m: Int, n: Int, k: Int) {
        batched(a: a, aOffsets: aOffsets, b: b, bOffsets: bOffsets, c: c, m: m, n: n, k: k)
    }

    private static func batched<T: FixedWidthInteger>(a: UnsafePointer<T>, aOffsets: [Int], b: UnsafePointer<T>, bOffsets: [Int],
                                                      c: UnsafeMutablePointer<T>, m: Int, n: Int, k: Int) {
        for batch in 0..<aOffsets.count {
            IntegerGemm.wrappingProduct(a + aOffsets[batch], b + bOffsets[batch], m: m, k: k, n: n, into: c + batch * m * n)
        }
    }
}
