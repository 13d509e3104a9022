/// Trilu on a batch of row-major matrices: keeps the upper (j >= i + k) or lower (j <= i + k)
/// triangle. The output must arrive zero-filled; only the kept span of each row is copied.
package enum Trilu {
    package static func copy(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer,
                             batch: Int, rows: Int, cols: Int, k: Int, upper: Bool, elementSize es: Int) {
        guard rows > 0, cols > 0 else { return }
        // Clamp k so i + k cannot overflow for huge |k| (any |k| > rows + cols behaves the same).
        let bound = rows + cols
        let k = Swift.max(-bound, Swift.min(bound, k))
        for b in 0..<batch {
            let matrix = b * rows * cols
            for i in 0..<rows {
                let lo = upper ? Swift.max(0, i + k) : 0
                let hi = upper ? cols : Swift.min(cols, i + k + 1)
                guard lo < hi else { continue }
                let at = (matrix + i * cols + lo) * es
                (destination + at).copyMemory(from: source + at, byteCount: (hi - lo) * es)
            }
        }
    }
}
