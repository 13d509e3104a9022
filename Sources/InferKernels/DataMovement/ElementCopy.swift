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
