/// Hardmax over the middle dim of `[outer, n, inner]`: 1 at the first maximum, 0 elsewhere.
/// The output must be zero-filled.
package enum HardmaxKernel {
    package static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        run(x, y, outer, n, inner)
    }
    package static func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, outer: Int, n: Int, inner: Int) {
        run(x, y, outer, n, inner)
    }

    private static func run<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                   _ outer: Int, _ n: Int, _ inner: Int) {
        guard n > 0 else { return }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                var best = 0
                for k in 1..<n where x[base + k * inner] > x[base + best * inner] { best = k }
                y[base + best * inner] = 1
            }
        }
    }
}
