/// Copies driven by precomputed, already validated index data: Gather (axis form), and the
/// offset-list forms behind GatherElements/GatherND (gather) and ScatterElements/ScatterND (scatter).
package enum IndexedCopy {
    /// Gather along an axis: data viewed as [outer, axisDim, inner]; output [outer, indexCount, inner].
    /// Every index must already be in 0..<axisDim.
    package static func gather(_ data: UnsafeRawPointer, outer: Int, axisDim: Int, inner: Int,
                               indices: UnsafePointer<Int>, indexCount: Int, elementSize: Int,
                               into output: UnsafeMutableRawPointer, threads: Int = 1) {
        let chunk = inner * elementSize
        guard chunk > 0, indexCount > 0 else { return }
        ParallelFor.run(count: outer, work: outer * indexCount * inner, threads: threads) { range in
            for o in range {
                let src = data + o * axisDim * chunk
                let dst = output + o * indexCount * chunk
                if inner == 1 {
                    for k in 0..<indexCount { copyElement(dst + k * chunk, src + indices[k] * chunk, elementSize: elementSize) }
                } else {
                    for k in 0..<indexCount { (dst + k * chunk).copyMemory(from: src + indices[k] * chunk, byteCount: chunk) }
                }
            }
        }
    }

    /// output chunk k = data chunk starting at element `offsets[k]`, each `chunk` elements long.
    package static func gatherChunks(_ data: UnsafeRawPointer, offsets: UnsafePointer<Int>, count: Int, chunk: Int,
                                     elementSize: Int, into output: UnsafeMutableRawPointer) {
        let bytes = chunk * elementSize
        guard bytes > 0 else { return }
        if chunk == 1 {
            for k in 0..<count { copyElement(output + k * bytes, data + offsets[k] * bytes, elementSize: elementSize) }
        } else {
            for k in 0..<count { (output + k * bytes).copyMemory(from: data + offsets[k] * elementSize, byteCount: bytes) }
        }
    }

    /// How a scatter combines an update with the value already there.
    package enum Reduction: Sendable { case none, add, mul, max, min }

    /// For k in order: output[offsets[k] ..< +chunk] = combine(output[...], updates chunk k).
    /// `output` already holds a copy of the data. `.none` is a plain copy (later updates win).
    package static func scatterChunks(into output: UnsafeMutableRawPointer, offsets: UnsafePointer<Int>, count: Int,
                                      chunk: Int, updates: UnsafeRawPointer, kind: ElementKind,
                                      elementSize: Int, reduction: Reduction) {
        guard chunk > 0 else { return }
        if reduction == .none {
            let bytes = chunk * elementSize
            for k in 0..<count { (output + offsets[k] * elementSize).copyMemory(from: updates + k * bytes, byteCount: bytes) }
            return
        }
        switch kind {
        case .float32: reduce(Float.self, output, offsets, count, chunk, updates, reduction)
        case .float64: reduce(Double.self, output, offsets, count, chunk, updates, reduction)
        case .int64: reduce(Int64.self, output, offsets, count, chunk, updates, reduction)
        case .int32: reduce(Int32.self, output, offsets, count, chunk, updates, reduction)
        case .int8: reduce(Int8.self, output, offsets, count, chunk, updates, reduction)
        case .uint8: reduce(UInt8.self, output, offsets, count, chunk, updates, reduction)
        case .bool: reduce(ScatterBool.self, output, offsets, count, chunk, updates, reduction)
        }
    }

    private static func reduce<T: ScatterArithmetic>(_: T.Type, _ output: UnsafeMutableRawPointer, _ offsets: UnsafePointer<Int>,
                                                     _ count: Int, _ chunk: Int, _ updates: UnsafeRawPointer, _ reduction: Reduction) {
        let out = output.assumingMemoryBound(to: T.self)
        let upd = updates.assumingMemoryBound(to: T.self)
        for k in 0..<count {
            let dst = out + offsets[k]
            let src = upd + k * chunk
            switch reduction {
            case .add: for i in 0..<chunk { dst[i] = T.scatterAdd(dst[i], src[i]) }
            case .mul: for i in 0..<chunk { dst[i] = T.scatterMul(dst[i], src[i]) }
            case .max: for i in 0..<chunk { dst[i] = T.scatterMax(dst[i], src[i]) }
            case .min: for i in 0..<chunk { dst[i] = T.scatterMin(dst[i], src[i]) }
            case .none: for i in 0..<chunk { dst[i] = src[i] }
            }
        }
    }
}

/// Arithmetic a scatter reduction needs: wrapping for integers (ONNX does not trap), logical
/// for bools (add = or, mul = and), IEEE for floats (max/min propagate NaN like NumPy).
protocol ScatterArithmetic {
    static func scatterAdd(_ a: Self, _ b: Self) -> Self
    static func scatterMul(_ a: Self, _ b: Self) -> Self
    static func scatterMax(_ a: Self, _ b: Self) -> Self
    static func scatterMin(_ a: Self, _ b: Self) -> Self
}

extension ScatterArithmetic where Self: FixedWidthInteger {
    static func scatterAdd(_ a: Self, _ b: Self) -> Self { a &+ b }
    static func scatterMul(_ a: Self, _ b: Self) -> Self { a &* b }
    static func scatterMax(_ a: Self, _ b: Self) -> Self { Swift.max(a, b) }
    static func scatterMin(_ a: Self, _ b: Self) -> Self { Swift.min(a, b) }
}

extension ScatterArithmetic where Self: BinaryFloatingPoint {
    static func scatterAdd(_ a: Self, _ b: Self) -> Self { a + b }
    static func scatterMul(_ a: Self, _ b: Self) -> Self { a * b }
    static func scatterMax(_ a: Self, _ b: Self) -> Self { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    static func scatterMin(_ a: Self, _ b: Self) -> Self { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }
}

extension Float: ScatterArithmetic {}
extension Double: ScatterArithmetic {}
extension Int64: ScatterArithmetic {}
extension Int32: ScatterArithmetic {}
extension Int8: ScatterArithmetic {}
extension UInt8: ScatterArithmetic {}

/// A bool stored as one byte (0 or 1).
struct ScatterBool: ScatterArithmetic {
    var byte: UInt8
    static func scatterAdd(_ a: Self, _ b: Self) -> Self { ScatterBool(byte: a.byte | b.byte) }
    static func scatterMul(_ a: Self, _ b: Self) -> Self { ScatterBool(byte: a.byte & b.byte) }
    static func scatterMax(_ a: Self, _ b: Self) -> Self { ScatterBool(byte: a.byte | b.byte) }
    static func scatterMin(_ a: Self, _ b: Self) -> Self { ScatterBool(byte: a.byte & b.byte) }
}
