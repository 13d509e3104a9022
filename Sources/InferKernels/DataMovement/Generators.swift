/// Kernels that produce values rather than move them: Range, NonZero, OneHot.
package enum Generators {
    /// output[i] = start + i * delta, computed in the output's type.
    package static func range(float start: Float, delta: Float, count: Int, into out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { out[i] = start + Float(i) * delta }
    }
    package static func range(double start: Double, delta: Double, count: Int, into out: UnsafeMutablePointer<Double>) {
        for i in 0..<count { out[i] = start + Double(i) * delta }
    }
    /// Integer ranges: the count was computed without overflow, so start + i * delta fits.
    package static func range(int64 start: Int64, delta: Int64, count: Int, into out: UnsafeMutablePointer<Int64>) {
        var v = start
        for i in 0..<count { out[i] = v; v &+= delta }
    }
    package static func range(int32 start: Int32, delta: Int32, count: Int, into out: UnsafeMutablePointer<Int32>) {
        var v = start
        for i in 0..<count { out[i] = v; v &+= delta }
    }

    /// Number of elements that are not zero (NaN counts as non-zero, -0.0 as zero).
    package static func nonZeroCount(_ data: UnsafeRawPointer, count: Int, kind: ElementKind) -> Int {
        var n = 0
        forEachNonZero(data, count: count, kind: kind) { _ in n += 1 }
        return n
    }

    /// NonZero output: `out` is int64 [rank, nnz]; row d holds coordinate d of each non-zero
    /// element, in row-major order of the input.
    package static func nonZeroIndices(_ data: UnsafeRawPointer, shape: [Int], kind: ElementKind,
                                       nonZeroCount nnz: Int, into out: UnsafeMutablePointer<Int64>) {
        var count = 1
        for d in shape { count *= d }
        let rank = shape.count
        var counter = [Int](repeating: 0, count: rank)
        var column = 0
        var previous = 0
        forEachNonZero(data, count: count, kind: kind) { flat in
            // Advance the multi-index from the previous hit to this one.
            var step = flat - previous
            previous = flat
            var d = rank - 1
            while step > 0 && d >= 0 {
                let total = counter[d] + step
                counter[d] = total % shape[d]
                step = total / shape[d]
                d -= 1
            }
            for d in 0..<rank { out[d * nnz + column] = Int64(counter[d]) }
            column += 1
        }
    }

    @inline(__always)
    private static func forEachNonZero(_ data: UnsafeRawPointer, count: Int, kind: ElementKind, _ body: (Int) -> Void) {
        switch kind {
        case .float32: let p = data.assumingMemoryBound(to: Float.self); for i in 0..<count where p[i] != 0 { body(i) }
        case .float64: let p = data.assumingMemoryBound(to: Double.self); for i in 0..<count where p[i] != 0 { body(i) }
        case .int64: let p = data.assumingMemoryBound(to: Int64.self); for i in 0..<count where p[i] != 0 { body(i) }
        case .int32: let p = data.assumingMemoryBound(to: Int32.self); for i in 0..<count where p[i] != 0 { body(i) }
        case .int8, .uint8, .bool: let p = data.assumingMemoryBound(to: UInt8.self); for i in 0..<count where p[i] != 0 { body(i) }
        }
    }

    /// OneHot: output viewed as [outer, depth, inner]; `indices` viewed as [outer, inner] holds
    /// each position's class already normalized to 0..<depth, or -1 for "all off".
    package static func oneHot(indices: UnsafePointer<Int>, outer: Int, depth: Int, inner: Int,
                               off: UnsafeRawPointer, on: UnsafeRawPointer, elementSize es: Int,
                               into output: UnsafeMutableRawPointer) {
        fillElements(output, count: outer * depth * inner, value: off, elementSize: es)
        for o in 0..<outer {
            for i in 0..<inner {
                let c = indices[o * inner + i]
                if c >= 0 { copyElement(output + ((o * depth + c) * inner + i) * es, on, elementSize: es) }
            }
        }
    }
}
