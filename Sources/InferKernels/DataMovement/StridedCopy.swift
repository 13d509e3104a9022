import Foundation

/// Gathers a strided view of a buffer into a contiguous one: the engine behind Transpose,
/// Expand (stride 0 on broadcast dims), Slice (any step, negative too) and DepthToSpace.
///
/// `shape` is the output shape; `strides` are the source element strides for each output dim
/// and `offset` the source element offset of output element 0. Dims are collapsed first
/// (size-1 dims dropped, dims merged where the source is contiguous across them), so most
/// calls end up as a few large `memcpy`s or one of the 2-D transpose fast paths.
package enum StridedCopy {
    package static func copy(from source: UnsafeRawPointer, offset: Int = 0, strides: [Int],
                              to destination: UnsafeMutableRawPointer, shape: [Int],
                              elementSize: Int, threads: Int = 1) {
        Plan(offset: offset, strides: strides, shape: shape, elementSize: elementSize)
            .run(from: source, to: destination, threads: threads)
    }

    /// A strided copy with its dims collapsed once (when a kernel is prepared): `run`
    /// allocates nothing, so it can sit in a steady-state inference loop.
    package struct Plan: Sendable {
        let offset: Int
        let total: Int
        let elementSize: Int
        let dims: [Int]
        let steps: [Int]
        let outerDims: [Int]
        let outerSteps: [Int]

        package init(offset: Int = 0, strides: [Int], shape: [Int], elementSize: Int) {
            precondition(strides.count == shape.count, "one stride per dim")
            var total = 1
            for d in shape { total *= d }
            self.total = total
            self.offset = offset
            self.elementSize = elementSize
            (dims, steps) = collapse(shape: shape, strides: strides)
            outerDims = Array(dims.dropLast())
            outerSteps = Array(steps.dropLast())
        }

        package func run(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, threads: Int = 1) {
            let total = total
            guard total > 0 else { return }
            let base = source + offset * elementSize
            let dims = dims, steps = steps
            let rank = dims.count
            let es = elementSize

            // Plain contiguous copy.
            if rank == 1 && steps[0] == 1 {
                destination.copyMemory(from: base, byteCount: total * es)
                return
            }
            // Pure 2-D transpose: output [A, B] reads a source [B, A] matrix.
            if rank == 2 && steps[0] == 1 && steps[1] == dims[0] {
                transpose2D(base, destination, rows: dims[1], cols: dims[0], batch: 1, es: es, threads: threads)
                return
            }
            // Batched transpose: output [N, A, B] reads a source [N, B, A].
            if rank == 3 && steps[1] == 1 && steps[2] == dims[1] && steps[0] == dims[1] * dims[2] {
                transpose2D(base, destination, rows: dims[2], cols: dims[1], batch: dims[0], es: es, threads: threads)
                return
            }

            let inner = dims[rank - 1]
            let innerStride = steps[rank - 1]
            let rows = total / inner
            let outerDims = outerDims, outerSteps = outerSteps
            // Row copies cost next to nothing per element: split only from about 1 MB (BERT-base's
            // head transposes, 128 x 768 floats, took 20 us on one thread and 42 on two).
            let work = innerStride == 1 ? total * es / 16 : total
            ParallelFor.run(count: rows, work: work, threads: threads) { range in
                MultiIndex.forEach(range, dims: outerDims, strides: outerSteps) { row, srcOffset in
                    let dst = destination + row * inner * es
                    let src = base + srcOffset * es
                    if innerStride == 1 {
                        dst.copyMemory(from: src, byteCount: inner * es)
                    } else {
                        switch es {
                        case 8: copyStrided(UInt64.self, src, innerStride, dst, inner)
                        case 4: copyStrided(UInt32.self, src, innerStride, dst, inner)
                        case 2: copyStrided(UInt16.self, src, innerStride, dst, inner)
                        case 1: copyStrided(UInt8.self, src, innerStride, dst, inner)
                        default:
                            for i in 0..<inner { (dst + i * es).copyMemory(from: src + i * innerStride * es, byteCount: es) }
                        }
                    }
                }
            }
        }
    }

    /// Drops size-1 dims and merges neighbours the source walks contiguously.
    package static func collapse(shape: [Int], strides: [Int]) -> (dims: [Int], strides: [Int]) {
        var dims: [Int] = []
        var steps: [Int] = []
        for (d, s) in zip(shape, strides) where d != 1 {
            if let last = dims.last, steps[steps.count - 1] == s * d {
                dims[dims.count - 1] = last * d
                steps[steps.count - 1] = s
            } else {
                dims.append(d)
                steps.append(s)
            }
        }
        if dims.isEmpty { return ([1], [1]) }
        return (dims, steps)
    }

    @inline(__always)
    private static func copyStrided<T>(_: T.Type, _ src: UnsafeRawPointer, _ stride: Int,
                                       _ dst: UnsafeMutableRawPointer, _ count: Int) {
        let s = src.assumingMemoryBound(to: T.self)
        let d = dst.assumingMemoryBound(to: T.self)
        if stride == 0 {
            d.update(repeating: s[0], count: count)
        } else {
            var j = 0
            for i in 0..<count { d[i] = s[j]; j += stride }
        }
    }

    /// out[n][a][b] = src[n][b][a] for a source of `batch` row-major `rows` x `cols` matrices,
    /// in cache-sized tiles.
    private static func transpose2D(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer,
                                    rows: Int, cols: Int, batch: Int, es: Int, threads: Int) {
        switch es {
        case 8: transposeTiles(UInt64.self, src, dst, rows, cols, batch, threads)
        case 4: transposeTiles(UInt32.self, src, dst, rows, cols, batch, threads)
        case 2: transposeTiles(UInt16.self, src, dst, rows, cols, batch, threads)
        case 1: transposeTiles(UInt8.self, src, dst, rows, cols, batch, threads)
        default:
            for n in 0..<batch {
                for r in 0..<rows {
                    for c in 0..<cols {
                        (dst + ((n * cols + c) * rows + r) * es).copyMemory(from: src + ((n * rows + r) * cols + c) * es, byteCount: es)
                    }
                }
            }
        }
    }

    private static func transposeTiles<T>(_: T.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer,
                                          _ rows: Int, _ cols: Int, _ batch: Int, _ threads: Int) {
        let tile = 32
        let s = src.assumingMemoryBound(to: T.self)
        let d = dst.assumingMemoryBound(to: T.self)
        let rowTiles = (rows + tile - 1) / tile
        let jobs = batch * rowTiles
        ParallelFor.run(count: jobs, work: batch * rows * cols, threads: threads) { range in
            for job in range {
                let n = job / rowTiles
                let r0 = (job % rowTiles) * tile
                let r1 = min(rows, r0 + tile)
                let sb = s + n * rows * cols
                let db = d + n * rows * cols
                var c0 = 0
                while c0 < cols {
                    let c1 = min(cols, c0 + tile)
                    for c in c0..<c1 {
                        let out = db + c * rows
                        for r in r0..<r1 { out[r] = sb[r * cols + c] }
                    }
                    c0 = c1
                }
            }
        }
    }
}
