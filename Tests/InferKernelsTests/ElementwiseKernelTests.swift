import Foundation
import Testing
@testable import InferKernels

/// Row-major strides reading `shape` as `out` (0 on broadcast dims); a test-local copy of
/// what InferIR's Broadcasting gives, since InferKernels tests do not import InferIR.
private func strides(_ shape: [Int], to out: [Int]) -> [Int] {
    var result = [Int](repeating: 0, count: out.count)
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        let o = i + out.count - shape.count
        result[o] = shape[i] == 1 && out[o] != 1 ? 0 : step
        step *= shape[i]
    }
    return result
}

private func loop(_ out: [Int], _ shapes: [Int]...) -> BroadcastLoop {
    BroadcastLoop(shape: out, operandStrides: shapes.map { strides($0, to: out) })
}

@Suite struct ElementwiseKernelTests {
    @Test func broadcastLoopCollapsesDims() {
        // Same shape: one contiguous run.
        let same = loop([2, 3, 4], [2, 3, 4], [2, 3, 4])
        #expect(same.dims == [24] && same.innerStride(0) == 1 && same.innerStride(1) == 1)
        // x + bias[C]: rows of C, both contiguous along the row.
        let bias = loop([2, 3, 4], [2, 3, 4], [4])
        #expect(bias.dims == [6, 4] && bias.innerStride(1) == 1)
        // x * scalar: one run, the scalar constant along it.
        let scalar = loop([2, 3, 4], [2, 3, 4], [])
        #expect(scalar.dims == [24] && scalar.innerStride(1) == 0)
        // Column broadcast and size-1 dims dropped.
        let column = loop([2, 1, 3, 4], [2, 1, 3, 4], [2, 1, 3, 1])
        #expect(column.dims == [6, 4] && column.innerStride(1) == 0)
        // Scalar output.
        let rank0 = loop([], [], [])
        #expect(rank0.dims == [1] && rank0.count == 1)
        #expect(loop([0, 3], [0, 3], [3]).count == 0)
    }

    @Test(arguments: [1, 2])
    func binaryKernelMatchesNaiveLoop(threads: Int) {
        // [2,1,4] + [3,1] -> [2,3,4], plus big cases past the threading threshold: many rows,
        // one long row, and fewer rows than chunks (rows split into pieces).
        for (sa, sb, out) in [([2, 1, 4], [3, 1], [2, 3, 4]), ([1100, 1, 1000], [1, 1000], [1100, 1, 1000]),
                              ([1_100_000], [], [1_100_000]), ([3, 400_000], [3, 1], [3, 400_000])] {
            let a = (0..<sa.reduce(1, *)).map { Float($0 % 97) * 0.5 }
            let b = (0..<sb.reduce(1, *)).map { Float($0 % 13) - 6 }
            var y = [Float](repeating: 0, count: out.reduce(1, *))
            let l = loop(out, sa, sb)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    y.withUnsafeMutableBufferPointer { py in
                        BinaryKernels.apply(.sub, pa.baseAddress!, pb.baseAddress!, py.baseAddress!, loop: l, threads: threads)
                    }
                }
            }
            let sa2 = strides(sa, to: out), sb2 = strides(sb, to: out)
            var mismatches = 0
            for flat in 0..<y.count {
                var r = flat, ia = 0, ib = 0
                for d in stride(from: out.count - 1, through: 0, by: -1) {
                    let i = r % out[d]
                    r /= out[d]
                    ia += i * sa2[d]
                    ib += i * sb2[d]
                }
                if y[flat] != a[ia] - b[ib] { mismatches += 1 }
            }
            #expect(mismatches == 0, "\(sa) - \(sb)")
        }
    }

    @Test func unaryKernelRunsInPlace() {
        var x: [Float] = [-2, -0.5, 0, 1, 3]
        x.withUnsafeMutableBufferPointer { p in
            UnaryKernels.apply(.relu, UnsafePointer(p.baseAddress!), p.baseAddress!, count: p.count)
        }
        #expect(x == [0, 0, 0, 1, 3])
        var big = [Float](repeating: -1, count: ParallelFor.minimumParallelWork + 3)
        big.withUnsafeMutableBufferPointer { p in
            UnaryKernels.apply(.abs, UnsafePointer(p.baseAddress!), p.baseAddress!, count: p.count, threads: 2)
        }
        #expect(big.allSatisfy { $0 == 1 })
    }

    @Test func castKernelTruncatesTowardZero() {
        let x: [Float] = [2.7, -2.7, .nan, 1e30, -1e30]
        var y = [Int32](repeating: 7, count: x.count)
        x.withUnsafeBytes { px in
            y.withUnsafeMutableBytes { py in
                CastKernels.cast(from: .float32, px.baseAddress!, to: .int32, py.baseAddress!, count: x.count)
            }
        }
        // Out-of-range values saturate to Int64 then keep the low 32 bits (C-like narrowing).
        #expect(y == [2, -2, 0, -1, 0])
    }

    @Test func vectorExpTracksLibm() {
        // A sweep over the whole useful range plus the edges, and a length that leaves a tail.
        var x = stride(from: -90.0 as Float, through: 90, by: 0.0371).map { $0 }
        x += [0, -0.0, 1e-8, -1e-8, .nan, .infinity, -.infinity, 88.7, -87.3, 100, -100]
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                UnaryKernels.apply(.exp, px.baseAddress!, py.baseAddress!, count: px.count)
            }
        }
        var worst: Float = 0
        for (v, e) in zip(x, y) {
            let reference = Float(Foundation.exp(Double(v)))
            if reference.isNaN { #expect(e.isNaN); continue }
            if reference.isInfinite || reference < Float.leastNormalMagnitude { 
                #expect(e == reference || (reference < Float.leastNormalMagnitude && e == 0), "exp(\(v)) = \(e)")
                continue
            }
            worst = max(worst, abs(e - reference) / reference)
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
    }

    @Test func fastTanhTracksLibm() {
        let x = stride(from: -12.0 as Float, through: 12, by: 0.00731).map { $0 } + [0, -0.0, 1e-20, .nan, .infinity, -.infinity]
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                UnaryKernels.apply(.tanh, px.baseAddress!, py.baseAddress!, count: px.count)
            }
        }
        var worst: Double = 0
        for (v, e) in zip(x, y) {
            let reference = Foundation.tanh(Double(v))
            if reference.isNaN { #expect(e.isNaN); continue }
            worst = max(worst, abs(Double(e) - reference) / max(abs(reference), 1e-30))
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
    }
}
