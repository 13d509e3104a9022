import Foundation

/// The math functions the float kernels need, for Float and Double, so one generic kernel body
/// serves both precisions (specialized per type in release). Float's exp, log, tanh and erf are
/// VectorMath's (one approximation everywhere; scalar calls are slower than a vector `map`, so
/// hot loops over contiguous floats use `VectorMath.map`); Double uses libm.
package protocol ElementFloat: BinaryFloatingPoint, Sendable {
    static func exp(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func fmod(_ x: Self, _ y: Self) -> Self
}

extension Float: ElementFloat {
    @inline(__always) package static func exp(_ x: Float) -> Float { VectorMath.scalar(x, VectorMath.exp) }
    @inline(__always) package static func expm1(_ x: Float) -> Float { Foundation.expm1f(x) }
    @inline(__always) package static func log(_ x: Float) -> Float { VectorMath.scalar(x, VectorMath.log) }
    @inline(__always) package static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
    @inline(__always) package static func tanh(_ x: Float) -> Float { VectorMath.scalar(x, VectorMath.tanh) }
    @inline(__always) package static func erf(_ x: Float) -> Float { VectorMath.scalar(x, VectorMath.erf) }
    @inline(__always) package static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
    @inline(__always) package static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
    @inline(__always) package static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
    @inline(__always) package static func fmod(_ x: Float, _ y: Float) -> Float { Foundation.fmodf(x, y) }
}

extension Double: ElementFloat {
    @inline(__always) package static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) package static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    @inline(__always) package static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) package static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inline(__always) package static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) package static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inline(__always) package static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    @inline(__always) package static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    @inline(__always) package static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    @inline(__always) package static func fmod(_ x: Double, _ y: Double) -> Double { Foundation.fmod(x, y) }
}

/// Integer element types of the arithmetic kernels (C-like semantics, never trapping).
package protocol ElementInteger: FixedWidthInteger, Sendable {}
extension Int64: ElementInteger {}
extension Int32: ElementInteger {}
extension Int8: ElementInteger {}
extension UInt8: ElementInteger {}
