import Dispatch

/// The element types data-movement kernels distinguish when they must do arithmetic or
/// comparisons (scatter reductions, NonZero, Range). Pure copies only need the byte size.
package enum DataElementKind: Sendable {
    case float32, float64, int64, int32, int8, uint8, bool
}

/// Copies `count` elements of `elementSize` bytes; sizes 1/2/4/8 go through typed loads so
/// single-element copies do not pay a memcpy call.
@inline(__always)
func copyElement(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, elementSize: Int) {
    switch elementSize {
    case 8: dst.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
    case 4: dst.storeBytes(of: src.loadUnaligned(as: UInt32.self), as: UInt32.self)
    case 2: dst.storeBytes(of: src.loadUnaligned(as: UInt16.self), as: UInt16.self)
    case 1: dst.storeBytes(of: src.load(as: UInt8.self), as: UInt8.self)
    default: dst.copyMemory(from: src, byteCount: elementSize)
    }
}

/// Fills `count` elements with the `elementSize`-byte pattern at `value`.
package func fillElements(_ dst: UnsafeMutableRawPointer, count: Int, value: UnsafeRawPointer, elementSize: Int) {
    guard count > 0 else { return }
    switch elementSize {
    case 8: dst.bindMemory(to: UInt64.self, capacity: count).update(repeating: value.loadUnaligned(as: UInt64.self), count: count)
    case 4: dst.bindMemory(to: UInt32.self, capacity: count).update(repeating: value.loadUnaligned(as: UInt32.self), count: count)
    case 2: dst.bindMemory(to: UInt16.self, capacity: count).update(repeating: value.loadUnaligned(as: UInt16.self), count: count)
    case 1: dst.initializeMemory(as: UInt8.self, repeating: value.load(as: UInt8.self), count: count)
    default:
        for i in 0..<count { (dst + i * elementSize).copyMemory(from: value, byteCount: elementSize) }
    }
}

/// Splits `count` units of work over `threads` when the work is large enough to pay for it.
func parallelChunks(count: Int, work: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let chunks = threads > 1 && work > 65_536 && count > 1 ? min(threads, count) : 1
    if chunks == 1 { body(0..<count); return }
    let per = (count + chunks - 1) / chunks
    // The chunks write disjoint parts of the output, so sharing the closure across threads is safe.
    withoutActuallyEscaping(body) { escapable in
        let shared = UncheckedSendableBox(value: escapable)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per
            let hi = min(count, lo + per)
            if lo < hi { shared.value(lo..<hi) }
        }
    }
}

private struct UncheckedSendableBox<T>: @unchecked Sendable { let value: T }
