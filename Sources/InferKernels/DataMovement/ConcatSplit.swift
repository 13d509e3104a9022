/// Concat and Split as block copies: viewing every tensor as [outer, axisDim * inner],
/// each outer row of the output is the rows of the inputs laid end to end.
package enum ConcatSplit {
    /// `parts[i]` is (pointer, axis dim) of input i; `inner` is the element count after the axis.
    package static func concat(_ parts: [(pointer: UnsafeRawPointer, axisDim: Int)], outer: Int, inner: Int,
                               elementSize: Int, into output: UnsafeMutableRawPointer) {
        let outRow = parts.reduce(0) { $0 + $1.axisDim } * inner * elementSize
        guard outRow > 0 else { return }
        var column = 0
        for part in parts {
            let bytes = part.axisDim * inner * elementSize
            if bytes > 0 {
                for o in 0..<outer {
                    (output + o * outRow + column).copyMemory(from: part.pointer + o * bytes, byteCount: bytes)
                }
            }
            column += bytes
        }
    }

    /// The inverse: cuts each outer row of `input` into the outputs' rows.
    package static func split(_ input: UnsafeRawPointer, outer: Int, inner: Int, elementSize: Int,
                              into parts: [(pointer: UnsafeMutableRawPointer, axisDim: Int)]) {
        let inRow = parts.reduce(0) { $0 + $1.axisDim } * inner * elementSize
        guard inRow > 0 else { return }
        var column = 0
        for part in parts {
            let bytes = part.axisDim * inner * elementSize
            if bytes > 0 {
                for o in 0..<outer {
                    (part.pointer + o * bytes).copyMemory(from: input + o * inRow + column, byteCount: bytes)
                }
            }
            column += bytes
        }
    }
}
