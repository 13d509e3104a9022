import InferIR
import InferKernels

extension KernelContext {
    /// Integer indices of input `i`, each wrapped once if negative and checked against
    /// `0..<bound`; a bad index is an error naming it.
    func normalizedIndices(_ i: Int, bound: Int, _ what: String = "index") throws -> [Int] {
        let t = try input(i)
        guard t.dtype == .int64 || t.dtype == .int32 else {
            throw error(.invalidModel, "indices must be int64 or int32, got \(t.dtype)")
        }
        var values = t.intValues()
        for k in values.indices {
            let v = values[k]
            let w = v < 0 ? v + bound : v
            guard w >= 0, w < bound else {
                throw error(.invalidShape, "\(what) \(v) is out of range for a dim of size \(bound)")
            }
            values[k] = w
        }
        return values
    }
}

/// Wrapped and range-checked integer indices of one input, in a buffer a prepared kernel owns
/// (one per session): `load` re-reads the input without allocating.
final class PreparedIndices: @unchecked Sendable {
    let values: UnsafeMutablePointer<Int>
    private let source: Tensor
    private let count: Int
    private let bound: Int
    private let context: KernelContext

    init(_ ctx: KernelContext, _ i: Int, bound: Int) throws {
        let t = try ctx.input(i)
        guard t.dtype == .int64 || t.dtype == .int32 else {
            throw ctx.error(.invalidModel, "indices must be int64 or int32, got \(t.dtype)")
        }
        source = t
        count = t.count
        self.bound = bound
        context = ctx
        values = .allocate(capacity: max(count, 1))
    }

    deinit { values.deallocate() }

    /// Reads, wraps and checks every index (same rules as `normalizedIndices`).
    func load() throws {
        let wide = source.dtype == .int64
        let raw64 = wide ? source.pointer(as: Int64.self) : nil
        let raw32 = wide ? nil : source.pointer(as: Int32.self)
        for k in 0..<count {
            let v = raw64.map { Int($0[k]) } ?? Int(raw32![k])
            let w = v < 0 ? v + bound : v
            guard w >= 0, w < bound else {
                throw context.error(.invalidShape, "index \(v) is out of range for a dim of size \(bound)")
            }
            values[k] = w
        }
    }
}

extension DType {
    var kernelKind: ElementKind {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .int64: .int64
        case .int32: .int32
        case .int8: .int8
        case .uint8: .uint8
        case .bool: .bool
        }
    }
}

/// Copies all bytes of `source` into `destination` (same element count and dtype).
func copyContents(_ source: Tensor, into destination: Tensor) {
    precondition(source.byteCount == destination.byteCount, "copy between tensors of different sizes")
    if source.byteCount > 0 { destination.mutableRawPointer.copyMemory(from: source.rawPointer, byteCount: source.byteCount) }
}

/// One element of `dtype` holding `value` (converted), e.g. a Pad fill value given as a float attribute.
func scalarTensor(_ value: Double, as dtype: DType) -> Tensor {
    func clamped<T: FixedWidthInteger>(_: T.Type) -> T {
        value.isNaN ? 0 : T(max(Double(T.min), min(Double(T.max), value.rounded(.towardZero))))
    }
    switch dtype {
    case .float32: return Tensor(scalar: Float(value))
    case .float64: return Tensor(scalar: value)
    case .int64: return value >= 9.2e18 ? Tensor(scalar: Int64.max) : Tensor(scalar: clamped(Int64.self))
    case .int32: return Tensor(scalar: clamped(Int32.self))
    case .int8: return Tensor(scalar: clamped(Int8.self))
    case .uint8: return Tensor(scalar: clamped(UInt8.self))
    case .bool: return Tensor(scalar: value != 0)
    }
}

func product<C: Collection>(_ dims: C) -> Int where C.Element == Int { dims.reduce(1, *) }
