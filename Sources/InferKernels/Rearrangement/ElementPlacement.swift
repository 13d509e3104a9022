/// Byte-level placement of elements at computed positions (MaxUnpool, TensorScatter):
/// the element type does not matter, only its size.
package enum ElementPlacement {
    /// out[positions[i]] = x[i] for every i; positions already validated.
    package static func scatter(elementSize: Int, _ x: UnsafeRawPointer, positions: [Int], into out: UnsafeMutableRawPointer) {
        switch elementSize {
        case 8: place(UInt64.self, x, positions, out)
        case 4: place(UInt32.self, x, positions, out)
        case 2: place(UInt16.self, x, positions, out)
        default:
            for (i, p) in positions.enumerated() {
                (out + p * elementSize).copyMemory(from: x + i * elementSize, byteCount: elementSize)
            }
        }
    }

    private static func place<T>(_: T.Type, _ x: UnsafeRawPointer, _ positions: [Int], _ out: UnsafeMutableRawPointer) {
        let src = x.assumingMemoryBound(to: T.self), dst = out.assumingMemoryBound(to: T.self)
        for (i, p) in positions.enumerated() { dst[p] = src[i] }
    }

    /// TensorScatter: with the cache viewed as [prefix, maxSequence, inner] and the update as
    /// [prefix, sequence, inner], copies update row s of prefix p to cache row
    /// `start(p) + s` (mod maxSequence when circular; callers check linear rows fit).
    /// `batchOf(p)` = p / (prefix / batch) picks the write index.
    package static func scatterRows(elementSize: Int, update: UnsafeRawPointer, into cache: UnsafeMutableRawPointer,
                                    prefix: Int, batch: Int, sequence: Int, maxSequence: Int, inner: Int,
                                    writeIndices: [Int], circular: Bool) {
        let rowBytes = inner * elementSize, perBatch = batch > 0 ? prefix / batch : 0
        for p in 0..<prefix {
            let start = writeIndices[p / max(perBatch, 1)]
            for s in 0..<sequence {
                var row = start + s
                if circular { row = ((row % maxSequence) + maxSequence) % maxSequence }
                (cache + (p * maxSequence + row) * rowBytes).copyMemory(from: update + (p * sequence + s) * rowBytes,
                                                                       byteCount: rowBytes)
            }
        }
    }
}
