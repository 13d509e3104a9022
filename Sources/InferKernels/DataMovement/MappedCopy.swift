/// A copy where each output coordinate maps, dim by dim, to a source coordinate or to a fill
/// value: Pad (constant/edge/reflect/wrap, negative pads crop) and Tile are both this.
///
/// `mappings[d][i]` is the source index along dim d for output index i, or -1 for "fill".
/// The innermost dim is turned into runs once (contiguous source spans become one memcpy),
/// so the per-row cost is a few segment copies.
package enum MappedCopy {
    package static func copy(from source: UnsafeRawPointer, sourceShape: [Int], to destination: UnsafeMutableRawPointer,
                             mappings: [[Int]], fill: UnsafeRawPointer, elementSize es: Int, threads: Int = 1) {
        let rank = sourceShape.count
        precondition(mappings.count == rank, "one mapping per dim")
        if rank == 0 {
            copyElement(destination, source, elementSize: es)
            return
        }
        let outShape = mappings.map(\.count)
        var total = 1
        for d in outShape { total *= d }
        guard total > 0 else { return }
        var srcStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { srcStrides[d] = srcStrides[d + 1] * sourceShape[d + 1] }

        // Runs along the innermost dim: (output start, source start or -1, length).
        var runs: [(out: Int, src: Int, length: Int)] = []
        for (i, s) in mappings[rank - 1].enumerated() {
            if let last = runs.last, last.out + last.length == i,
               (s == -1 && last.src == -1) || (s >= 0 && last.src >= 0 && last.src + last.length == s) {
                runs[runs.count - 1].length += 1
            } else {
                runs.append((i, s, 1))
            }
        }
        let inner = outShape[rank - 1]
        let rows = total / inner
        ParallelFor.run(count: rows, work: total, threads: threads) { range in
            var counter = [Int](repeating: 0, count: max(rank - 1, 0))
            var rest = range.lowerBound
            for d in stride(from: rank - 2, through: 0, by: -1) {
                counter[d] = rest % outShape[d]
                rest /= outShape[d]
            }
            for row in range {
                let dst = destination + row * inner * es
                var srcRow = 0
                var filled = false
                for d in 0..<(rank - 1) {
                    let s = mappings[d][counter[d]]
                    if s < 0 { filled = true; break }
                    srcRow += s * srcStrides[d]
                }
                if filled {
                    fillElements(dst, count: inner, value: fill, elementSize: es)
                } else {
                    let src = source + srcRow * es
                    for run in runs {
                        if run.src < 0 {
                            fillElements(dst + run.out * es, count: run.length, value: fill, elementSize: es)
                        } else if run.length == 1 {
                            copyElement(dst + run.out * es, src + run.src * es, elementSize: es)
                        } else {
                            (dst + run.out * es).copyMemory(from: src + run.src * es, byteCount: run.length * es)
                        }
                    }
                }
                var d = rank - 2
                while d >= 0 {
                    counter[d] += 1
                    if counter[d] < outShape[d] { break }
                    counter[d] = 0
                    d -= 1
                }
            }
        }
    }
}
