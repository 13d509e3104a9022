import Foundation

/// Element types the reduction kernels accept (float32/64, int32/64), with the handful of
/// operations a reduction needs. Integer arithmetic wraps (as ONNX Runtime's does) instead
/// of trapping on overflow.
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

extension Float: ReductionScalar {
    @inline(__always) package static var additiveIdentity: Float { 0 }
    @inline(__always) package static var multiplicativeIdentity: Float { 1 }
    @inline(__always) package static var lowestValue: Float { -.infinity }
    @inline(__always) package static var highestValue: Float { .infinity }
    @inline(__always) package static func plus(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) package static func times(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) package var absoluteValue: Float { Swift.abs(self) }
    @inline(__always) package var asDouble: Double { Double(self) }
    @inline(__always) package init(reducedDouble value: Double) { self = Float(value) }
    @inline(__always) package static func mean(sum: Float, count: Int) -> Float { sum / Float(count) }
}

extension Double: ReductionScalar {
    @inline(__always) package static var additiveIdentity: Double { 0 }
    @inline(__always) package static var multiplicativeIdentity: Double { 1 }
    @inline(__always) package static var lowestValue: Double { -.infinity }
    @inline(__always) package static var highestValue: Double { .infinity }
    @inline(__always) package static func plus(_ a: Double, _ b: Double) -> Double { a + b }
    @inline(__always) package static func times(_ a: Double, _ b: Double) -> Double { a * b }
    @inline(__always) package var absoluteValue: Double { Swift.abs(self) }
    @inline(__always) package var asDouble: Double { self }
    @inline(__always) package init(reducedDouble value: Double) { self = value }
    @inline(__always) package static func mean(sum: Double, count: Int) -> Double { sum / Double(count) }
}

extension Int32: ReductionScalar {
    @inline(__always) package static var additiveIdentity: Int32 { 0 }
    @inline(__always) package static var multiplicativeIdentity: Int32 { 1 }
    @inline(__always) package static var lowestValue: Int32 { .min }
    @inline(__always) package static var highestValue: Int32 { .max }
    @inline(__always) package static func plus(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
    @inline(__always) package static func times(_ a: Int32, _ b: Int32) -> Int32 { a &* b }
    @inline(__always) package var absoluteValue: Int32 { self < 0 ? 0 &- self : self }
    @inline(__always) package var asDouble: Double { Double(self) }
    @inline(__always) package init(reducedDouble value: Double) {
        self = value.isNaN ? 0 : Int32(Swift.max(Swift.min(value.rounded(.towardZero), Double(Int32.max)), Double(Int32.min)))
    }
    @inline(__always) package static func mean(sum: Int32, count: Int) -> Int32 { count == 0 ? 0 : sum / Int32(truncatingIfNeeded: count) }
}

extension Int64: ReductionScalar {
    @inline(__always) package static var additiveIdentity: Int64 { 0 }
    @inline(__always) package static var multiplicativeIdentity: Int64 { 1 }
    @inline(__always) package static var lowestValue: Int64 { .min }
    @inline(__always) package static var highestValue: Int64 { .max }
    @inline(__always) package static func plus(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
    @inline(__always) package static func times(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
    @inline(__always) package var absoluteValue: Int64 { self < 0 ? 0 &- self : self }
    @inline(__always) package var asDouble: Double { Double(self) }
    @inline(__always) package init(reducedDouble value: Double) {
        // 9.2e18 keeps the conversion inside Int64's range.
        self = value.isNaN ? 0 : Int64(Swift.max(Swift.min(value.rounded(.towardZero), 9.2e18), -9.2e18))
    }
    @inline(__always) package static func mean(sum: Int64, count: Int) -> Int64 { count == 0 ? 0 : sum / Int64(count) }
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
