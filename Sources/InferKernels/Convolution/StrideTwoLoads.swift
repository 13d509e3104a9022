/// Eight floats at stride 2, for the stride-2 window kernels (MaxPool, depthwise 3x3, im2col).
///
/// Built from two 8-float loads and one lane selection, which the compiler turns into shuffles.
/// `SIMD16.evenHalf` / `oddHalf` and a 16-float `loadUnaligned` were not inlined in the
/// baseline x86-64 build: each was a function call returning through memory, and the
/// ResNet/ShuffleNet stem MaxPool (64x112x112, 3x3 stride 2) took 1.0 ms in them.
enum StrideTwoLoads {
    typealias V8 = SIMD8<Float>

    /// `p[0], p[2], ..., p[14]` (reads `p[0...15]`).
    @inline(__always)
    static func evens(_ p: UnsafePointer<Float>) -> V8 {
        let a = load(p), b = load(p + 8)
        return V8(a[0], a[2], a[4], a[6], b[0], b[2], b[4], b[6])
    }

    /// `p[1], p[3], ..., p[15]` (reads `p[0...15]`).
    @inline(__always)
    static func odds(_ p: UnsafePointer<Float>) -> V8 {
        let a = load(p), b = load(p + 8)
        return V8(a[1], a[3], a[5], a[7], b[1], b[3], b[5], b[7])
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
}
