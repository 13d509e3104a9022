/// A one-byte boolean as stored in tensors: 0 or 1 written, non-zero read as true.
struct BoolByte { var raw: UInt8 }

/// How one element type converts to and from the two "wide" forms every conversion goes
/// through: Double for floating-point sources, Int64 for integer and boolean ones.
protocol CastScalar {
    static var isFloatingPoint: Bool { get }
    var wideDouble: Double { get }
    var wideInteger: Int64 { get }
    init(fromDouble value: Double)
    init(fromInteger value: Int64)
}

extension CastScalar where Self: ElementFloat {
    static var isFloatingPoint: Bool { true }
    var wideDouble: Double { Double(self) }
    var wideInteger: Int64 { saturatingInt64(Double(self)) }
    init(fromDouble value: Double) { self.init(value) }
    init(fromInteger value: Int64) { self.init(value) }
}
extension Float: CastScalar {}
extension Double: CastScalar {}

extension CastScalar where Self: ElementInteger {
    static var isFloatingPoint: Bool { false }
    var wideDouble: Double { Double(self) }
    var wideInteger: Int64 { Int64(truncatingIfNeeded: self) }
    /// Truncates toward zero; NaN gives 0 and values beyond Int64 saturate, then the low bits are
    /// kept like C / NumPy integer narrowing (so -1.0 to uint8 is 255).
    init(fromDouble value: Double) {
        self.init(truncatingIfNeeded: saturatingInt64(value))
    }
    init(fromInteger value: Int64) { self.init(truncatingIfNeeded: value) }
}
extension Int64: CastScalar {}
extension Int32: CastScalar {}
extension Int8: CastScalar {}
extension UInt8: CastScalar {}

extension BoolByte: CastScalar {
    static var isFloatingPoint: Bool { false }
    var wideDouble: Double { raw != 0 ? 1 : 0 }
    var wideInteger: Int64 { raw != 0 ? 1 : 0 }
    /// Non-zero (NaN included) is true.
    init(fromDouble value: Double) { raw = value != 0 ? 1 : 0 }
    init(fromInteger value: Int64) { raw = value != 0 ? 1 : 0 }
}

/// Truncation toward zero that never traps: NaN is 0, out-of-range values saturate.
@inline(__always)
func saturatingInt64(_ value: Double) -> Int64 {
    if value.isNaN { return 0 }
    if value >= 9.223372036854775807e18 { return .max }
    if value <= -9.223372036854775808e18 { return .min }
    return Int64(value)
}

/// Cast between any two element kinds, contiguous, `count` elements.
package enum CastKernels {
    package static func cast(from source: ElementKind, _ x: UnsafeRawPointer, to destination: ElementKind,
                             _ y: UnsafeMutableRawPointer, count: Int) {
        guard count > 0 else { return }
        switch source {
        case .float32: castFrom(x.assumingMemoryBound(to: Float.self), destination, y, count)
        case .float64: castFrom(x.assumingMemoryBound(to: Double.self), destination, y, count)
        case .int64: castFrom(x.assumingMemoryBound(to: Int64.self), destination, y, count)
        case .int32: castFrom(x.assumingMemoryBound(to: Int32.self), destination, y, count)
        case .int8: castFrom(x.assumingMemoryBound(to: Int8.self), destination, y, count)
        case .uint8: castFrom(x.assumingMemoryBound(to: UInt8.self), destination, y, count)
        case .bool: castFrom(x.assumingMemoryBound(to: BoolByte.self), destination, y, count)
        }
    }

    static func castFrom<S: CastScalar>(_ x: UnsafePointer<S>, _ destination: ElementKind,
                                        _ y: UnsafeMutableRawPointer, _ n: Int) {
        switch destination {
        case .float32: convert(x, y.assumingMemoryBound(to: Float.self), n)
        case .float64: convert(x, y.assumingMemoryBound(to: Double.self), n)
        case .int64: convert(x, y.assumingMemoryBound(to: Int64.self), n)
        case .int32: convert(x, y.assumingMemoryBound(to: Int32.self), n)
        case .int8: convert(x, y.assumingMemoryBound(to: Int8.self), n)
        case .uint8: convert(x, y.assumingMemoryBound(to: UInt8.self), n)
        case .bool: convert(x, y.assumingMemoryBound(to: BoolByte.self), n)
        }
    }

    @inline(__always)
    static func convert<S: CastScalar, D: CastScalar>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<D>, _ n: Int) {
        if S.isFloatingPoint {
            for i in 0..<n { y[i] = D(fromDouble: x[i].wideDouble) }
        } else {
            for i in 0..<n { y[i] = D(fromInteger: x[i].wideInteger) }
        }
    }
}
