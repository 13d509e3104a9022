import Testing
import InferIR
import InferRuntime

private typealias H = TensorOpHarness

/// Naive transpose: out[m] = x[m permuted back].
private func referenceTranspose(_ x: [Double], _ shape: [Int], _ perm: [Int]) -> [Double] {
    let outShape = perm.map { shape[$0] }
    let n = x.count
    var out = [Double](repeating: 0, count: n)
    for o in 0..<n {
        let m = H.multiIndex(o, outShape)
        var src = [Int](repeating: 0, count: shape.count)
        for d in 0..<perm.count { src[perm[d]] = m[d] }
        out[o] = x[H.flatIndex(src, shape)]
    }
    return out
}

@Suite struct TensorOpLayoutTests {
    static let transposeCases: [([Int], [Int]?)] = [
        ([3, 5], nil), ([33, 40], [1, 0]), ([2, 3, 4], [0, 2, 1]), ([2, 3, 4], [1, 0, 2]),
        ([2, 3, 4], nil), ([2, 1, 3, 4], [2, 0, 3, 1]), ([2, 3, 4, 5], [0, 2, 1, 3]), ([0, 3], nil), ([7], nil),
    ]

    @Test(arguments: transposeCases)
    func transposeMatchesReference(shape: [Int], perm: [Int]?) throws {
        let x = H.iota(shape)
        let attrs: [String: Attribute] = perm.map { ["perm": .ints($0)] } ?? [:]
        let y = try H.run1("Transpose", [x], attrs)
        let p = perm ?? Array((0..<shape.count).reversed())
        #expect(y.shape == p.map { shape[$0] })
        #expect(y.doubleValues() == referenceTranspose(x.doubleValues(), shape, p))
    }

    @Test(arguments: TensorOpHarness.allDTypes)
    func transposeEveryDType(dtype: DType) throws {
        for (shape, perm) in [([4, 6], [1, 0]), ([2, 3, 5], [2, 1, 0]), ([3, 4, 5], [0, 2, 1])] {
            let x = H.sample(dtype, shape)
            let y = try H.run1("Transpose", [x], ["perm": .ints(perm)])
            #expect(y.dtype == dtype)
            #expect(y.doubleValues() == referenceTranspose(x.doubleValues(), shape, perm))
        }
    }

    @Test func transposeBadPermThrows() {
        H.expectInferError { _ = try H.run1("Transpose", [H.iota([2, 3])], ["perm": .ints([0, 0])]) }
        H.expectInferError { _ = try H.run1("Transpose", [H.iota([2, 3])], ["perm": .ints([0])]) }
    }

    @Test(arguments: TensorOpHarness.allDTypes)
    func concatAlongEveryAxis(dtype: DType) throws {
        let a = H.sample(dtype, [2, 3, 2]), b = H.tensor(dtype, [2, 3, 2], (0..<12).map { Double($0 % 2) })
        for axis in [-3, 1, 2] {
            let y = try H.run1("Concat", [a, b], ["axis": .int(axis)])
            let ax = (axis + 3) % 3
            var shape = [2, 3, 2]
            shape[ax] *= 2
            #expect(y.shape == shape)
            let av = a.doubleValues(), bv = b.doubleValues(), yv = y.doubleValues()
            for o in 0..<yv.count {
                var m = H.multiIndex(o, shape)
                let fromB = m[ax] >= [2, 3, 2][ax]
                if fromB { m[ax] -= [2, 3, 2][ax] }
                #expect(yv[o] == (fromB ? bv : av)[H.flatIndex(m, [2, 3, 2])])
            }
        }
    }

    @Test func concatEmptyAndMismatch() throws {
        let y = try H.run1("Concat", [H.iota([2, 0]), H.iota([2, 3])], ["axis": .int(1)])
        #expect(y == H.iota([2, 3]))
        H.expectInferError { _ = try H.run1("Concat", [H.iota([2, 3]), H.iota([2, 3, 1])], ["axis": .int(0)]) }
        H.expectInferError { _ = try H.run1("Concat", [H.iota([2, 3]), H.iota([3, 3])], ["axis": .int(1)]) }
        H.expectInferError { _ = try H.run1("Concat", [H.iota([2, 3]), H.iota([2, 3])], ["axis": .int(2)]) }
    }

    @Test func splitOpsetVariants() throws {
        let x = H.iota([2, 7])
        // opset 11: split attribute
        let a = try H.run("Split", opset: 11, [x], ["axis": .int(1), "split": .ints([2, 5])], outputs: 2)
        #expect(a[0].shape == [2, 2] && a[1].shape == [2, 5])
        #expect(a[0].doubleValues() == [0, 1, 7, 8])
        // opset 13: split input, negative axis
        let b = try H.run("Split", opset: 13, [x, H.ints([3, 0, 4])], ["axis": .int(-1)], outputs: 3)
        #expect(b.map(\.shape) == [[2, 3], [2, 0], [2, 4]])
        #expect(b[2].doubleValues() == [3, 4, 5, 6, 10, 11, 12, 13])
        // opset 18: num_outputs with a smaller last chunk
        let c = try H.run("Split", opset: 18, [x], ["axis": .int(1), "num_outputs": .int(3)], outputs: 3)
        #expect(c.map(\.shape) == [[2, 3], [2, 3], [2, 1]])
        #expect(c[2].doubleValues() == [6, 13])
        // equal split by output count
        let d = try H.run("Split", opset: 13, [H.iota([6])], outputs: 3)
        #expect(d.map { $0.doubleValues() } == [[0, 1], [2, 3], [4, 5]])
        H.expectInferError { _ = try H.run("Split", opset: 13, [x, H.ints([3, 3])], ["axis": .int(1)], outputs: 2) }
        H.expectInferError { _ = try H.run("Split", opset: 13, [x], ["axis": .int(1)], outputs: 2) }
    }

    @Test(arguments: TensorOpHarness.allDTypes)
    func expandBidirectional(dtype: DType) throws {
        let x = H.sample(dtype, [3, 1])
        let y = try H.run1("Expand", [x, H.ints([2, 1, 4])])
        #expect(y.shape == [2, 3, 4])
        let xv = x.doubleValues()
        #expect(y.doubleValues() == (0..<24).map { xv[H.multiIndex($0, [2, 3, 4])[1]] })
        #expect(try H.run1("Expand", [H.iota([1, 3]), H.ints([3])]).shape == [1, 3])
        H.expectInferError { _ = try H.run1("Expand", [H.iota([3]), H.ints([4])]) }
        H.expectInferError { _ = try H.run1("Expand", [H.iota([1]), H.ints([1_000_000, 1_000_000])]) }
        H.expectInferError { _ = try H.run1("Expand", [H.iota([1]), H.ints([-1])]) }
    }

    @Test func tileRepeats() throws {
        let x = H.iota([2, 3])
        let y = try H.run1("Tile", [x, H.ints([2, 2])])
        #expect(y.shape == [4, 6])
        #expect(y.doubleValues() == (0..<24).map { let m = H.multiIndex($0, [4, 6]); return Double((m[0] % 2) * 3 + m[1] % 3) })
        #expect(try H.run1("Tile", [x, H.ints([0, 1])]).shape == [0, 3])
        H.expectInferError { _ = try H.run1("Tile", [x, H.ints([2])]) }
        H.expectInferError { _ = try H.run1("Tile", [x, H.ints([1 << 40, 1 << 30])]) }
    }

    @Test(arguments: [(true, 0), (true, 1), (true, -1), (false, 0), (false, 2), (false, -3), (true, 100), (false, Int(Int64.min))])
    func triluBatched(upper: Bool, k: Int) throws {
        let shape = [2, 3, 4]
        let x = H.iota(shape)
        let y = try H.run1("Trilu", opset: 14, [x, Tensor(scalar: Int64(k))], ["upper": .int(upper ? 1 : 0)])
        let expected: [Double] = (0..<24).map { o in
            let m = H.multiIndex(o, shape)
            let keep = upper ? m[2] - m[1] >= k : m[2] - m[1] <= k
            return keep ? Double(o) : 0
        }
        #expect(y.doubleValues() == expected)
    }

    @Test func depthToSpaceModes() throws {
        let (b, c, h, w, bs) = (1, 8, 2, 3, 2)
        let x = H.iota([b, c, h, w])
        for crd in [false, true] {
            let y = try H.run1("DepthToSpace", opset: 13, [x], ["blocksize": .int(bs), "mode": .string(crd ? "CRD" : "DCR")])
            #expect(y.shape == [b, c / 4, h * bs, w * bs])
            let expected: [Double] = (0..<y.count).map { o in
                let m = H.multiIndex(o, y.shape)
                let (oc, oh, ow) = (m[1], m[2], m[3])
                let (bh, bw) = (oh % bs, ow % bs)
                let ic = crd ? oc * bs * bs + bh * bs + bw : (bh * bs + bw) * (c / 4) + oc
                return Double(H.flatIndex([m[0], ic, oh / bs, ow / bs], [b, c, h, w]))
            }
            #expect(y.doubleValues() == expected)
            // SpaceToDepth inverts it (CRD needs opset 28).
            let back = try H.run1("SpaceToDepth", opset: crd ? 28 : 13, [y], ["blocksize": .int(bs), "mode": .string(crd ? "CRD" : "DCR")])
            #expect(back == x)
        }
        H.expectInferError { _ = try H.run1("DepthToSpace", opset: 13, [H.iota([1, 6, 2, 2])], ["blocksize": .int(2)]) }
        H.expectInferError { _ = try H.run1("SpaceToDepth", opset: 13, [H.iota([1, 1, 3, 2])], ["blocksize": .int(2)]) }
    }
}
