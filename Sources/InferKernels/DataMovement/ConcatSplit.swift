/// Concat and Split as block copies: viewing every tensor as [outer, axisDim * inner],
/// each outer row of the output is the rows of the inputs laid end to end.
package enum ConcatSplit {
    /// `parts[i]` is (pointer, axis dim) of input i; `inner` is the element count after the axis.
    package static func concat(_ parts: [(pointer: UnsafeRawPointer, axisDim: Int)], outer: Int, inner: Int,
                               elementSize: Int, into output: UnsafeMutableRawPointer) {
        forEachBlock(parts, outer: outer, inner: inner, elementSize: elementSize) { part, partOffset, wholeOffset, bytes in
            (output + wholeOffset).copyMemory(from: part + partOffset, byteCount: bytes)
        }
    }

    /// The inverse: cuts each outer row of `input` into the outputs' rows.
    package static func split(_ input: UnsafeRawPointer, outer: Int, inner: Int, elementSize: Int,
                              into parts: [(pointer: UnsafeMutableRawPointer, axisDim: Int)]) {
        forEachBlock(parts, outer: outer, inner: inner, elementSize: elementSize) { part, partOffset, wholeOffset, bytes in
            (part + partOffset).copyMemory(from: input + wholeOffset, byteCount: bytes)
        }
    }

    /// The blocks both directions copy: for each part and outer row, `body(part pointer,
    /// byte offset in the part, byte offset in the whole tensor, byte count)`. Empty blocks are skipped.
    @inline(__always)
    private static func forEachBlock<Pointer>(_ parts: [(pointer: Pointer, axisDim: Int)], outer: Int, inner: Int,
                                              elementSize: Int, _ body: (Pointer, Int, Int, Int) -> Void) {
        let wholeRow = parts.reduce(0) { $0 + $1.axisDim } * inner * elementSize
        guard wholeRow > 0 else { return }
        var column = 0
        for part in parts {
            let bytes = part.axisDim * inner * elementSize
            if bytes > 0 {
                for o in 0..<outer { body(part.pointer, o * bytes, o * wholeRow + column, bytes) }
            }
            column += bytes
        }
    }
}
