/// Determinants of `count` row-major `n x n` matrices by LU decomposition with partial pivoting, in Double.
package enum Determinant {
    package static func run(_ matrices: UnsafePointer<Double>, count: Int, n: Int, into out: UnsafeMutablePointer<Double>) {
        let a = UnsafeMutablePointer<Double>.allocate(capacity: max(n * n, 1))
        defer { a.deallocate() }
        for m in 0..<count {
            a.update(from: matrices + m * n * n, count: n * n)
            var det = 1.0
            for col in 0..<n {
                var pivot = col
                for r in (col + 1)..<max(n, col + 1) where abs(a[r * n + col]) > abs(a[pivot * n + col]) { pivot = r }
                if a[pivot * n + col] == 0 { det = 0; break }
                if pivot != col {
                    for c in 0..<n { (a[col * n + c], a[pivot * n + c]) = (a[pivot * n + c], a[col * n + c]) }
                    det = -det
                }
                let d = a[col * n + col]
                det *= d
                for r in (col + 1)..<max(n, col + 1) {
                    let f = a[r * n + col] / d
                    if f == 0 { continue }
                    for c in col..<n { a[r * n + c] -= f * a[col * n + c] }
                }
            }
            out[m] = det
        }
    }
}
