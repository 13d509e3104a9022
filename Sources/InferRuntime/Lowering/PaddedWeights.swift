import Foundation
import InferIR
import InferKernels

/// A constant 2-D float matrix copied once with the row stride `BLAS.paddedLeadingDimension`
/// asks for, shared by every session that runs the same weights (prepared kernels are made
/// per session; copying per session would multiply the model's memory).
///
/// The cache is keyed by the source's storage object, offset and shape, and each entry holds
/// its source storage: while a copy is alive its source cannot be freed and its address
/// reused by other weights, so a key never names two different matrices.
final class PaddedWeights: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    let leadingDimension: Int
    private let buffer: FloatBuffer
    private let source: TensorStorage

    private init(copying tensor: Tensor, rows: Int, columns: Int, leadingDimension: Int) {
        buffer = FloatBuffer(count: rows * leadingDimension)
        source = tensor.storage
        self.leadingDimension = leadingDimension
        let from = tensor.pointer(as: Float.self), to = buffer.pointer!
        for r in 0..<rows { (to + r * leadingDimension).update(from: from + r * columns, count: columns) }
        pointer = UnsafePointer(to)
    }

    private struct Key: Hashable {
        let storage: ObjectIdentifier
        let offset: Int, rows: Int, columns: Int
    }

    private final class WeakEntry {
        weak var value: PaddedWeights?
        init(_ value: PaddedWeights) { self.value = value }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [Key: WeakEntry] = [:]

    /// The padded copy of `tensor` (a constant float matrix), or nil when its stride needs none.
    static func padded(_ tensor: Tensor) -> PaddedWeights? {
        guard tensor.dtype == .float32, tensor.rank == 2 else { return nil }
        let (rows, columns) = (tensor.shape[0], tensor.shape[1])
        let ld = BLAS.paddedLeadingDimension(columns)
        guard ld != columns, rows > 0 else { return nil }
        let key = Key(storage: ObjectIdentifier(tensor.storage), offset: tensor.byteOffset, rows: rows, columns: columns)
        lock.lock()
        defer { lock.unlock() }
        if let shared = cache[key]?.value { return shared }
        cache = cache.filter { $0.value.value != nil }
        let copy = PaddedWeights(copying: tensor, rows: rows, columns: columns, leadingDimension: ld)
        cache[key] = WeakEntry(copy)
        return copy
    }
}
