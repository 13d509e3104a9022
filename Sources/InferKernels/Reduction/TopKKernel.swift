/// TopK along one axis (`[outer, axisSize, inner]`): the k largest (or smallest) values and their
/// indices, sorted, ties broken by the lower index (as ONNX specifies).
package enum TopKKernel {
    /// `values` and `indices` hold `outer * k * inner` elements; specialized per element type.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    package static func topK<T: Comparable>(_ src: UnsafePointer<T>, outer: Int, axisSize: Int, inner: Int, k: Int, largest: Bool,
                                            values: UnsafeMutablePointer<T>, indices: UnsafeMutablePointer<Int64>) {
        run(src, outer, axisSize, inner, k, largest, values, indices)
    }

    private static func run<T: Comparable>(_ src: UnsafePointer<T>, _ outer: Int, _ n: Int, _ inner: Int, _ k: Int,
                                           _ largest: Bool, _ values: UnsafeMutablePointer<T>,
                                           _ indices: UnsafeMutablePointer<Int64>) {
        guard k > 0, n > 0 else { return }
        var order = [Int](repeating: 0, count: n)
        order.withUnsafeMutableBufferPointer { order in
            for o in 0..<outer {
                for i in 0..<inner {
                    let line = src + o * n * inner + i
                    for j in 0..<n { order[j] = j }
                    // Candidate a precedes b: better value, or equal value and lower index.
                    let precedes: (Int, Int) -> Bool = largest
                        ? { a, b in let x = line[a * inner], y = line[b * inner]; return x > y || (x == y && a < b) }
                        : { a, b in let x = line[a * inner], y = line[b * inner]; return x < y || (x == y && a < b) }
                    if k == 1 {
                        var best = 0
                        for j in 1..<n where precedes(j, best) { best = j }
                        order[0] = best
                    } else {
                        order.sort(by: precedes)
                    }
                    let outBase = o * k * inner + i
                    for j in 0..<k {
                        values[outBase + j * inner] = line[order[j] * inner]
                        indices[outBase + j * inner] = Int64(order[j])
                    }
                }
            }
        }
    }
}
