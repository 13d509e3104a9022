/// Concat and Split as block copies: viewing every tensor as [outer, axisDim * inner],
/// each outer row of the output is the rows of the inputs laid end to end.
///
/// The whole tensor's bytes are cut into equal ranges, one per thread, and each thread copies
/// the pieces of the blocks inside its range: a Concat along channels at batch 1 is a handful
/// of blocks of very different sizes (DenseNet joins one 32-channel block to hundreds of
/// channels), so cutting by blocks would not balance.
package enum ConcatSplit {
    /// `parts[i]` is (pointer, axis dim) of input i; `inner` is the element count after the axis.
    package static func concat(_ parts: [(pointer: UnsafeRawPointer, axisDim: Int)], outer: Int, inner: Int,
                               elementSize: Int, into output: UnsafeMutableRawPointer, threads: Int = 1) {
        forEachPiece(parts, outer: outer, inner: inner, elementSize: elementSize, threads: threads) { part, partOffset, wholeOffset, bytes in
            (output + wholeOffset).copyMemory(from: part + partOffset, byteCount: bytes)
        }
    }

    /// The inverse: cuts each outer row of `input` into the outputs' rows.
    package static func split(_ input: UnsafeRawPointer, outer: Int, inner: Int, elementSize: Int,
                              into parts: [(pointer: UnsafeMutableRawPointer, axisDim: Int)], threads: Int = 1) {
        forEachPiece(parts, outer: outer, inner: inner, elementSize: elementSize, threads: threads) { part, partOffset, wholeOffset, bytes in
            (part + partOffset).copyMemory(from: input + wholeOffset, byteCount: bytes)
        }
    }

    /// Ranges of the whole tensor are cut at multiples of this many bytes.
    static let pieceAlignment = 4096

    /// What both directions copy: `body(part pointer, byte offset in the part, byte offset in
    /// the whole tensor, byte count)` for every block (part, outer row), or for the piece of it
    /// that falls in a thread's byte range. Empty blocks are skipped.
    @inline(__always)
    private static func forEachPiece<Pointer>(_ parts: [(pointer: Pointer, axisDim: Int)], outer: Int, inner: Int,
                                              elementSize: Int, threads: Int, _ body: (Pointer, Int, Int, Int) -> Void) {
        let wholeRow = parts.reduce(0) { $0 + $1.axisDim } * inner * elementSize
        let total = wholeRow * outer
        guard total > 0 else { return }
        let units = (total + pieceAlignment - 1) / pieceAlignment
        ParallelFor.run(count: units, work: total / max(1, elementSize), threads: threads, chunksPerThread: 1) { range in
            let low = range.lowerBound * pieceAlignment, high = min(total, range.upperBound * pieceAlignment)
            for o in low / wholeRow...(high - 1) / wholeRow {
                var column = 0
                for part in parts {
                    let bytes = part.axisDim * inner * elementSize
                    let start = o * wholeRow + column
                    column += bytes
                    // This block's overlap with [low, high).
                    let from = max(start, low), to = min(start + bytes, high)
                    if from < to { body(part.pointer, o * bytes + (from - start), from, to - from) }
                }
            }
        }
    }
}
