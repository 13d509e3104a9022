import Testing
@testable import InferKernels

/// Kernel-level checks of the data-movement kernels against naive loops, including the
/// transpose fast paths, element sizes 1/2/4/8, negative and zero strides, and threading.
@Suite struct DataMovementTests {
    /// Naive strided gather over Int64 buffers holding their own index.
    private func reference(_ src: [Int64], offset: Int, strides: [Int], shape: [Int]) -> [Int64] {
        let n = shape.reduce(1, *)
        return (0..<n).map { o in
            var rest = o
            var at = offset
            for d in stride(from: shape.count - 1, through: 0, by: -1) {
                at += (rest % shape[d]) * strides[d]
                rest /= shape[d]
            }
            return src[at]
        }
    }

    static let cases: [(shape: [Int], strides: [Int], offset: Int)] = [
        ([40, 33], [1, 40], 0),            // 2-D transpose fast path
        ([3, 17, 9], [153, 1, 17], 0),     // batched transpose fast path
        ([4, 5, 6], [30, 1, 5], 0),
        ([2, 3, 4], [0, 4, 1], 0),         // broadcast outer dim
        ([3, 4], [1, 0], 0),               // broadcast inner dim
        ([3, 4], [-4, -1], 11),            // fully reversed
        ([2, 2, 3], [12, -8, 2], 8),
        ([1, 1, 5], [7, 3, 1], 2),
        ([0, 4], [4, 1], 0),
    ]

    @Test(arguments: cases)
    func stridedCopyMatchesNaive(shape: [Int], strides: [Int], offset: Int) {
        let source = (0..<2000).map(Int64.init)
        let expected = reference(source, offset: offset, strides: strides, shape: shape)
        for es in [1, 2, 4, 8] {
            // Element of size `es` = the low `es` bytes of each Int64, packed.
            let packed = source.flatMap { v in (0..<es).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
            var out = [UInt8](repeating: 0, count: expected.count * es)
            packed.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    StridedCopy.copy(from: src.baseAddress!, offset: offset, strides: strides, to: dst.baseAddress!,
                                     shape: shape, elementSize: es)
                }
            }
            let wanted = expected.flatMap { v in (0..<es).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
            #expect(out == wanted, "element size \(es)")
        }
    }

    @Test func threadedCopiesAgreeWithSingleThreaded() {
        let (rows, cols) = (300, 257)
        let source = (0..<(rows * cols)).map { Float($0) }
        var one = [Float](repeating: 0, count: source.count)
        var two = one
        var three = one
        source.withUnsafeBytes { src in
            one.withUnsafeMutableBytes { StridedCopy.copy(from: src.baseAddress!, strides: [1, cols], to: $0.baseAddress!, shape: [cols, rows], elementSize: 4, threads: 1) }
            two.withUnsafeMutableBytes { StridedCopy.copy(from: src.baseAddress!, strides: [1, cols], to: $0.baseAddress!, shape: [cols, rows], elementSize: 4, threads: 2) }
            three.withUnsafeMutableBytes { StridedCopy.copy(from: src.baseAddress!, offset: cols - 1, strides: [cols, -1], to: $0.baseAddress!, shape: [rows, cols], elementSize: 4, threads: 2) }
        }
        #expect(one == two)
        #expect(one[1] == Float(cols))
        #expect(three[0] == Float(cols - 1) && three[cols] == Float(2 * cols - 1))
    }

    @Test func mappedCopyPadsAndTiles() {
        let src: [UInt32] = [1, 2, 3, 4, 5, 6]  // [2, 3]
        var out = [UInt32](repeating: 0, count: 4 * 5)
        var fill: UInt32 = 9
        let mappings = [[-1, 0, 1, -1], [2, 0, 1, 2, 0]]
        src.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { d in
                MappedCopy.copy(from: s.baseAddress!, sourceShape: [2, 3], to: d.baseAddress!, mappings: mappings,
                                fill: &fill, elementSize: 4)
            }
        }
        #expect(out == [9, 9, 9, 9, 9, 3, 1, 2, 3, 1, 6, 4, 5, 6, 4, 9, 9, 9, 9, 9])
    }

    @Test func concatThenSplitRoundTrips() {
        let a: [Int16] = [1, 2, 3, 4]          // [2, 2]
        let b: [Int16] = [5, 6, 7, 8, 9, 10]   // [2, 3]
        var joined = [Int16](repeating: 0, count: 10)
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in joined.withUnsafeMutableBytes { out in
            ConcatSplit.concat([(pa.baseAddress!, 2), (pb.baseAddress!, 3)], outer: 2, inner: 1, elementSize: 2, into: out.baseAddress!)
        } } }
        #expect(joined == [1, 2, 5, 6, 7, 3, 4, 8, 9, 10])
        var a2 = [Int16](repeating: 0, count: 4), b2 = [Int16](repeating: 0, count: 6)
        joined.withUnsafeBytes { src in a2.withUnsafeMutableBytes { pa in b2.withUnsafeMutableBytes { pb in
            ConcatSplit.split(src.baseAddress!, outer: 2, inner: 1, elementSize: 2, into: [(pa.baseAddress!, 2), (pb.baseAddress!, 3)])
        } } }
        #expect(a2 == a && b2 == b)
    }

    /// Concat and Split cut the tensor's bytes over the threads, through the middle of blocks:
    /// against a naive per-element concat, with an empty part, several outer rows, blocks far
    /// smaller and far larger than a thread's range.
    @Test(arguments: [(outer: 1, inner: 3136, dims: [32, 0, 480, 7]), (outer: 3, inner: 1000, dims: [1, 2, 3]),
                      (outer: 700, inner: 5, dims: [4, 1])], [1, 2, 3])
    func threadedConcatAndSplitMatchNaive(shape: (outer: Int, inner: Int, dims: [Int]), threads: Int) {
        let (outer, inner, dims) = shape
        let parts = dims.enumerated().map { i, d in (0..<(outer * d * inner)).map { Float(i * 1_000_000 + $0) } }
        let axis = dims.reduce(0, +)
        var naive = [Float](repeating: 0, count: outer * axis * inner)
        var offset = 0
        for (i, d) in dims.enumerated() {
            for o in 0..<outer {
                for j in 0..<(d * inner) { naive[o * axis * inner + offset * inner + j] = parts[i][o * d * inner + j] }
            }
            offset += d
        }
        // Buffers of their own: the kernels get raw pointers that must outlive one closure.
        let inputs = parts.map { p in UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, p.count)).initialized(from: p) }
        let outputs = parts.map { p in UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, p.count)).filled(-1) }
        let whole = UnsafeMutableBufferPointer<Float>.allocate(capacity: naive.count).filled(-1)
        defer { (inputs + outputs + [whole]).forEach { $0.deallocate() } }
        ParallelFor.forcingEverySplit {
            ConcatSplit.concat(zip(inputs, dims).map { (UnsafeRawPointer($0.baseAddress!), $1) }, outer: outer, inner: inner,
                               elementSize: 4, into: whole.baseAddress!, threads: threads)
            ConcatSplit.split(whole.baseAddress!, outer: outer, inner: inner, elementSize: 4,
                              into: zip(outputs, dims).map { (UnsafeMutableRawPointer($0.baseAddress!), $1) }, threads: threads)
        }
        let joined = Array(whole)
        let back = zip(outputs, parts).map { Array($0.prefix($1.count)) }
        #expect(joined == naive, "concat, \(threads) threads")
        #expect(back == parts, "split, \(threads) threads")
    }

    @Test func scatterReductionsWrapIntegers() {
        var out: [Int8] = [120, 0]
        let upd: [Int8] = [10, 5]
        let offsets = [0, 0]
        out.withUnsafeMutableBytes { o in upd.withUnsafeBytes { u in offsets.withUnsafeBufferPointer { off in
            IndexedCopy.scatterChunks(into: o.baseAddress!, offsets: off.baseAddress!, count: 2, chunk: 1, updates: u.baseAddress!,
                                      kind: .int8, elementSize: 1, reduction: .add)
        } } }
        #expect(out[0] == Int8(truncatingIfNeeded: 135))
    }

    @Test func nonZeroIndicesAndTrilu() {
        let data: [Float] = [0, 1, 0, -0.0, .nan, 2]
        let nnz = data.withUnsafeBytes { Generators.nonZeroCount($0.baseAddress!, count: 6, kind: .float32) }
        #expect(nnz == 3)
        var idx = [Int64](repeating: -1, count: 2 * nnz)
        data.withUnsafeBytes { d in idx.withUnsafeMutableBufferPointer {
            Generators.nonZeroIndices(d.baseAddress!, shape: [2, 3], kind: .float32, nonZeroCount: nnz, into: $0.baseAddress!)
        } }
        #expect(idx == [0, 1, 1, 1, 1, 2])
        let m: [UInt8] = Array(1...9)
        var t = [UInt8](repeating: 0, count: 9)
        m.withUnsafeBytes { s in t.withUnsafeMutableBytes { d in
            Trilu.copy(from: s.baseAddress!, to: d.baseAddress!, batch: 1, rows: 3, cols: 3, k: 0, upper: false, elementSize: 1)
        } }
        #expect(t == [1, 0, 0, 4, 5, 0, 7, 8, 9])
    }
}

private extension UnsafeMutableBufferPointer where Element == Float {
    func initialized(from values: [Float]) -> Self {
        for (i, v) in values.enumerated() { self[i] = v }
        return self
    }
    func filled(_ value: Float) -> Self {
        for i in indices { self[i] = value }
        return self
    }
}
