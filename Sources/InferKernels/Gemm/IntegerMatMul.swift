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

    /// i-k-j order: the inner loop runs contiguously over a row of B and of C.
    private static func batched<T: FixedWidthInteger>(a: UnsafePointer<T>, aOffsets: [Int], b: UnsafePointer<T>, bOffsets: [Int],
                                                      c: UnsafeMutablePointer<T>, m: Int, n: Int, k: Int) {
        for batch in 0..<aOffsets.count {
            let ab = a + aOffsets[batch], bb = b + bOffsets[batch], cb = c + batch * m * n
            for i in 0..<m {
                let row = cb + i * n
                row.update(repeating: 0, count: n)
                for p in 0..<k {
                    let s = ab[i * k + p]
                    if s == 0 { continue }
                    let brow = bb + p * n
                    for j in 0..<n { row[j] = row[j] &+ s &* brow[j] }
                }
            }
        }
    }
}
