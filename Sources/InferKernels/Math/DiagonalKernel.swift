/// Writes one element value on the `k`-th diagonal of a zero-filled row-major `rows x cols`
/// matrix (EyeLike): `k > 0` above the main diagonal, `k < 0` below.
package enum DiagonalKernel {
    package static func fill(_ out: UnsafeMutableRawPointer, rows: Int, cols: Int, k: Int,
                             value: UnsafeRawPointer, elementSize: Int) {
        for r in 0..<rows {
            let c = r + k
            guard c >= 0, c < cols else { continue }
            (out + (r * cols + c) * elementSize).copyMemory(from: value, byteCount: elementSize)
        }
    }
}
