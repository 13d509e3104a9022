import Foundation

/// A block of raw bytes behind one or more tensors: 64-byte aligned memory it allocated itself,
/// or memory it borrows from an owner that must outlive it (an mmap'd plan file, an arena).
package final class TensorStorage: @unchecked Sendable {
    /// Alignment of every allocation: one cache line, and what AVX-512 loads like.
    package static let alignment = 64

    package let byteCount: Int
    package let base: UnsafeMutableRawPointer
    private let owner: AnyObject?
    private let ownsMemory: Bool

    /// Allocates `byteCount` zeroed bytes.
    package init(byteCount: Int) {
        self.byteCount = byteCount
        base = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
        owner = nil
        ownsMemory = true
    }

    /// Wraps memory owned by `owner`; the storage keeps the owner alive and never frees the memory.
    package init(borrowing base: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject?) {
        self.byteCount = byteCount
        self.base = base
        self.owner = owner
        ownsMemory = false
    }

    deinit {
        if ownsMemory { base.deallocate() }
    }
}
