import Foundation

/// A dense, row-major n-dimensional array: element type, concrete shape, and bytes in a
/// `TensorStorage` (possibly shared with other tensors as a view at an offset).
///
/// ```swift
/// let x = try Tensor(shape: [2, 2], scalars: [Float](repeating: 0.5, count: 4))
/// let values = try x.scalars(as: Float.self)
/// ```
public struct Tensor: Sendable, CustomStringConvertible {
    /// The element type.
    public let dtype: DType
    /// The size of each axis, outermost first (`[]` for a scalar).
    public let shape: [Int]
    package let storage: TensorStorage
    package let byteOffset: Int

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Bytes of element data (`count * dtype.byteSize`).
    public var byteCount: Int { count * dtype.byteSize }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// Dtype and shape as a `ValueType` (to compare with `Engine.inputs`).
    public var type: ValueType { ValueType(dtype: dtype, dims: shape) }

    /// A view of existing storage. The caller guarantees the bytes fit.
    package init(dtype: DType, shape: [Int], storage: TensorStorage, byteOffset: Int = 0) {
        precondition(byteOffset + (elementCount(shape) ?? .max) * dtype.byteSize <= storage.byteCount,
                     "tensor view exceeds its storage")
        self.dtype = dtype
        self.shape = shape
        self.storage = storage
        self.byteOffset = byteOffset
    }

    /// A zero-filled tensor. Use `Tensor.zeros(_:shape:)` when the shape comes from untrusted input.
    package init(zeros dtype: DType, shape: [Int]) {
        let n = elementCount(shape) ?? 0
        self.init(dtype: dtype, shape: shape, storage: TensorStorage(byteCount: n * dtype.byteSize))
    }

    /// A zero-filled tensor, refusing negative dims, overflowing sizes and tensors over the
    /// tensor limit in force (`ResourceLimits.current`).
    public static func zeros(_ dtype: DType, shape: [Int]) throws(InferError) -> Tensor {
        try ResourceLimits.current.checkTensor(dtype, shape, "tensor")
        return Tensor(zeros: dtype, shape: shape)
    }

    /// A tensor holding a copy of `scalars`, in row-major order.
    ///
    /// ```swift
    /// let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float])
    /// ```
    /// Throws when a dim is negative, the shape needs another number of scalars, or the tensor
    /// is over the tensor limit in force (`ResourceLimits.current`).
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) throws(InferError) {
        try ResourceLimits.current.checkTensor(T.dtype, shape, "tensor")
        guard elementCount(shape) == scalars.count else {
            throw InferError(.invalidShape, "shape \(shape) needs \(elementCount(shape) ?? -1) scalars, got \(scalars.count)")
        }
        self.init(shape: shape, exactly: scalars)
    }

    /// A tensor holding a copy of `scalars`, for package code whose count matches `shape` by
    /// construction (an optimizer pass writing the initializer it computed): traps otherwise.
    package init<T: TensorScalar>(shape: [Int], exactly scalars: [T]) {
        precondition(elementCount(shape) == scalars.count, "shape \(shape) needs \(elementCount(shape) ?? -1) scalars, got \(scalars.count)")
        self.init(zeros: T.dtype, shape: shape)
        scalars.withUnsafeBytes { src in
            if src.count > 0 { storage.base.copyMemory(from: src.baseAddress!, byteCount: src.count) }
        }
    }

    /// A rank-0 tensor.
    public init<T: TensorScalar>(scalar: T) {
        self.init(zeros: T.dtype, shape: [])
        storage.base.storeBytes(of: scalar, as: T.self)
    }

    /// The elements as Swift values; throws when `T` is not this tensor's dtype.
    public func scalars<T: TensorScalar>(as type: T.Type) throws(InferError) -> [T] {
        guard T.dtype == dtype else {
            throw InferError(.dtypeMismatch, "tensor holds \(dtype), not \(T.dtype)")
        }
        return Array(UnsafeBufferPointer(start: rawPointer.assumingMemoryBound(to: T.self), count: count))
    }

    package var rawPointer: UnsafeRawPointer { UnsafeRawPointer(storage.base + byteOffset) }
    package var mutableRawPointer: UnsafeMutableRawPointer { storage.base + byteOffset }

    /// Typed pointer to the first element; `T` must match `dtype`.
    package func pointer<T: TensorScalar>(as type: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dtype == dtype, "pointer(as: \(T.self)) on a \(dtype) tensor")
        return mutableRawPointer.assumingMemoryBound(to: T.self)
    }

    /// The same bytes under another shape with the same element count (no copy).
    package func reshaped(to newShape: [Int]) -> Tensor {
        precondition(elementCount(newShape) == count, "reshape \(shape) -> \(newShape) changes the element count")
        return Tensor(dtype: dtype, shape: newShape, storage: storage, byteOffset: byteOffset)
    }

    /// A deep copy in fresh storage.
    public func copy() -> Tensor {
        let t = Tensor(zeros: dtype, shape: shape)
        if byteCount > 0 { t.mutableRawPointer.copyMemory(from: rawPointer, byteCount: byteCount) }
        return t
    }

    /// The raw bytes (little-endian, row-major).
    public var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: rawPointer, count: byteCount)) }

    /// A tensor from raw little-endian bytes; throws when the byte count does not match the shape.
    public init(dtype: DType, shape: [Int], bytes: some Collection<UInt8>) throws(InferError) {
        guard let n = elementCount(shape), n * dtype.byteSize == bytes.count else {
            throw InferError(.invalidModel, "\(bytes.count) bytes do not hold a \(dtype)\(shape) tensor")
        }
        self.init(zeros: dtype, shape: shape)
        let dst = UnsafeMutableRawBufferPointer(start: mutableRawPointer, count: n * dtype.byteSize)
        dst.copyBytes(from: bytes)
    }

    /// Every element converted to Double (for comparisons and printing).
    package func doubleValues() -> [Double] {
        let n = count
        switch dtype {
        case .float32: return (0..<n).map { Double(rawPointer.load(fromByteOffset: $0 * 4, as: Float.self)) }
        case .float64: return (0..<n).map { rawPointer.load(fromByteOffset: $0 * 8, as: Double.self) }
        case .int64: return (0..<n).map { Double(rawPointer.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        case .int32: return (0..<n).map { Double(rawPointer.load(fromByteOffset: $0 * 4, as: Int32.self)) }
        case .int8: return (0..<n).map { Double(rawPointer.load(fromByteOffset: $0, as: Int8.self)) }
        case .uint8: return (0..<n).map { Double(rawPointer.load(fromByteOffset: $0, as: UInt8.self)) }
        case .bool: return (0..<n).map { rawPointer.load(fromByteOffset: $0, as: UInt8.self) != 0 ? 1 : 0 }
        }
    }

    /// Every element as Int (for shape, axes and index inputs). Floats are truncated.
    package func intValues() -> [Int] {
        let n = count
        switch dtype {
        case .int64: return (0..<n).map { Int(rawPointer.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        case .int32: return (0..<n).map { Int(rawPointer.load(fromByteOffset: $0 * 4, as: Int32.self)) }
        default: return doubleValues().map { $0.isFinite ? Int(max(min($0, 9.2e18), -9.2e18)) : 0 }
        }
    }

    /// Dtype, shape and the first few elements: `float[2, 2] [0.5, 0.5, 0.5, 0.5]`.
    public var description: String {
        let shown = dtype.isFloatingPoint ? doubleValues().prefix(8).map { String($0) } : intValues().prefix(8).map { String($0) }
        return "\(dtype)\(shape) [\(shown.joined(separator: ", "))\(count > 8 ? ", ..." : "")]"
    }
}

extension Tensor: Equatable {
    /// Equal when dtype, shape and every byte agree (so NaN payloads compare bitwise).
    public static func == (a: Tensor, b: Tensor) -> Bool {
        guard a.dtype == b.dtype, a.shape == b.shape else { return false }
        return memcmp(a.rawPointer, b.rawPointer, a.byteCount) == 0
    }
}
