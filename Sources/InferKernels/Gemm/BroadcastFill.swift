/// Fills an m x n row-major matrix from a source read with element strides (0 on broadcast
/// dims): how Gemm's C, or a bias, is laid into the output before GEMM accumulates with beta.
package enum BroadcastFill {
    package static func fill(_ dst: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                             from src: UnsafePointer<Float>, rowStride: Int, colStride: Int) {
        fillMatrix(dst, rows: rows, cols: cols, from: src, rowStride: rowStride, colStride: colStride)
    }

    package static func fill(_ dst: UnsafeMutablePointer<Double>, rows: Int, cols: Int,
                             from src: UnsafePointer<Double>, rowStride: Int, colStride: Int) {
        fillMatrix(dst, rows: rows, cols: cols, from: src, rowStride: rowStride, colStride: colStride)
    }

    private static func fillMatrix<T>(_ dst: UnsafeMutablePointer<T>, rows: Int, cols: Int,
                                      from src: UnsafePointer<T>, rowStride: Int, colStride: Int) {
        for i in 0..<rows {
            let out = dst + i * cols, row = src + i * rowStride
            if colStride == 1 {
                out.update(from: row, count: cols)
            } else if colStride == 0 {
                out.update(repeating: row[0], count: cols)
            } else {
                for j in 0..<cols { out[j] = row[j * colStride] }
            }
        }
    }
}
