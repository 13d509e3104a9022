import Foundation

/// Element types the reduction kernels accept (float32/64, int32/64), with the handful of
/// operations a reduction needs. Integer arithmetic wraps (as ONNX Runtime's does) instead
/// of trapping on overflow.
///
/// The kernels' entry points are generic over these types and carry one
/// `@_specialize(where T == ...)` per type: callers in InferRuntime (another module) only see
/// the generic, and the attribute compiles a copy per type that the generic jumps to on entry,
/// so the inner loops always run specialized.
package protocol ReductionScalar: Comparable, Sendable {
    static var additiveIdentity: Self { get }
    static var multiplicativeIdentity: Self { get }
    /// Identity of max: -inf for floats, the smallest value for integers.
    static var lowestValue: Self { get }
    /// Identity of min: +inf for floats, the largest value for integers.
    static var highestValue: Self { get }
    static func plus(_ a: Self, _ b: Self) -> Self
    static func times(_ a: Self, _ b: Self) -> Self
    var absoluteValue: Self { get }
    var asDouble: Double { get }
    /// Converts back from Double (truncating toward zero for integers, saturating).
    init(reducedDouble value: Double)
    /// The mean of a sum over `count` elements (integer division for integers).
    static func mean(sum: Self, count: Int) -> Self
}

// The shared arithmetic of the float types and of the integer types; each type below adds only
// its conversions from and to Double.
extension ReductionScalar where Self: BinaryFloatingPoint {
    @inline(__always) package static var additiveIdentity: Self { 0 }
    @inline(__always) package static var multiplicativeIdentity: Self { 1 }
    @inline(__always) package static var lowestValue: Self { -.infinity }
    @inline(__always) package static var highestValue: Self { .infinity }
    @inline(__always) package static func plus(_ a: Self, _ b: Self) -> Self { a + b }
    @inline(__always) package static func times(_ a: Self, _ b: Self) -> Self { a * b }
    @inline(__always) package var absoluteValue: Self { Swift.abs(self) }
    @inline(__always) package static func mean(sum: Self, count: Int) -> Self { sum / Self(count) }
}

extension ReductionScalar where Self: FixedWidthInteger {
    @inline(__always) package static var additiveIdentity: Self { 0 }
    @inline(__always) package static var multiplicativeIdentity: Self { 1 }
    @inline(__always) package static var lowestValue: Self { .min }
    @inline(__always) package static var highestValue: Self { .max }
    @inline(__always) package static func plus(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inline(__always) package static func times(_ a: Self, _ b: Self) -> Self { a &* b }
    @inline(__always) package var absoluteValue: Self { self < 0 ? 0 &- self : self }
    @inline(__always) package var asDouble: Double { Double(self) }
    @inline(__always) package static func mean(sum: Self, count: Int) -> Self {
        count == 0 ? 0 : sum / Self(truncatingIfNeeded: count)
    }
}

extension Float: ReductionScalar {
    @inline(__always) package var asDouble: Double { Double(self) }
    @inline(__always) package init(reducedDouble value: Double) { self = Float(value) }
}

extension Double: ReductionScalar {
    @inline(__always) package var asDouble: Double { self }
    @inline(__always) package init(reducedDouble value: Double) { self = value }
}

extension Int32: ReductionScalar {
    @inline(__always) package init(reducedDouble value: Double) {
        self = value.isNaN ? 0 : Int32(Swift.max(Swift.min(value.rounded(.towardZero), Double(Int32.max)), Double(Int32.min)))
    }
}

extension Int64: ReductionScalar {
    @inline(__always) package init(reducedDouble value: Double) {
        // 9.2e18 keeps the conversion inside Int64's range.
        self = value.isNaN ? 0 : Int64(Swift.max(Swift.min(value.rounded(.towardZero), 9.2e18), -9.2e18))
    }
}

/// Floating-point element types of the normalization kernels (and the float-only reductions):
/// the transcendental functions they need, resolved to libm's `expf`/`exp` per type.
package protocol KernelFloat: BinaryFloatingPoint, ReductionScalar {
    static func exponential(_ x: Self) -> Self
    static func logarithm(_ x: Self) -> Self
    static func power(_ x: Self, _ y: Self) -> Self
}

extension Float: KernelFloat {
    @inline(__always) package static func exponential(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) package static func logarithm(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) package static func power(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

extension Double: KernelFloat {
    @inline(__always) package static func exponential(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) package static func logarithm(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) package static func power(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
