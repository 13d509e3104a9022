/// Copies elements of any type by a per-output-element source rule, walking the output with an
/// odometer (for rare rearrangements such as ReverseSequence and CenterCropPad, where a plain
/// loop is clearer than a strided kernel).
package enum RemappedCopy {
    /// For every output multi-index, `source(index)` gives the input's flat element offset or -1
    /// (leave the zero-filled output element as is).
    package static func copy(_ input: UnsafeRawPointer, into output: UnsafeMutableRawPointer, outputShape: [Int],
                             elementSize: Int, source: ([Int]) -> Int) {
        let count = outputShape.reduce(1, *)
        guard count > 0 else { return }
        var index = [Int](repeating: 0, count: outputShape.count)
        for i in 0..<count {
            let s = source(index)
            if s >= 0 { (output + i * elementSize).copyMemory(from: input + s * elementSize, byteCount: elementSize) }
            MultiIndex.increment(&index, within: outputShape)
        }
    }
}
