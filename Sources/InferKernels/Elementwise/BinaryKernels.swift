/// Arithmetic of two broadcast operands with the same element type.
package enum BinaryOp: Sendable, Equatable {
    case add, sub, mul, div, pow, min, max
    /// Remainder with the sign of the divisor (`fmod = 0`, Python `%`).
    case mod
    /// Remainder with the sign of the dividend (`fmod = 1`, C `fmod` / `%`).
    case fmod
    /// `a < 0 ? a * b : a` (PRelu, `b` the slope).
    case prelu
}

/// Comparisons; the output is a byte, 1 for true.
package enum CompareOp: Sendable, Equatable {
    case equal, less, greater, lessOrEqual, greaterOrEqual
}

/// Boolean operators on bytes (non-zero is true); the output is 0 or 1.
package enum LogicalOp: Sendable, Equatable {
    case and, or, xor
}

/// Binary kernels over operands laid out by a `BroadcastLoop` (operand 0 = a, 1 = b); the
/// output is contiguous in the loop's shape and may alias `a` when `a` is contiguous with it.
/// Integer arithmetic wraps and never traps: division or remainder by zero gives 0.
package enum BinaryKernels {
    package static func apply(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                              _ out: UnsafeMutablePointer<Float>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { applyFloat(op, a, b, out, loop, $0) }
    }
    package static func apply(_ op: BinaryOp, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                              _ out: UnsafeMutablePointer<Double>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { applyFloat(op, a, b, out, loop, $0) }
    }
    package static func apply(_ op: BinaryOp, _ a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>,
                              _ out: UnsafeMutablePointer<Int64>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { applyInteger(op, a, b, out, loop, $0) }
    }
    package static func apply(_ op: BinaryOp, _ a: UnsafePointer<Int32>, _ b: UnsafePointer<Int32>,
                              _ out: UnsafeMutablePointer<Int32>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { applyInteger(op, a, b, out, loop, $0) }
    }
    package static func apply(_ op: BinaryOp, _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>,
                              _ out: UnsafeMutablePointer<Int8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { applyInteger(op, a, b, out, loop, $0) }
    }
    package static func apply(_ op: BinaryOp, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>,
                              _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { applyInteger(op, a, b, out, loop, $0) }
    }

    package static func compare(_ op: CompareOp, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { compareAny(op, a, b, out, loop, $0) }
    }
    package static func compare(_ op: CompareOp, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                                _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { compareAny(op, a, b, out, loop, $0) }
    }
    package static func compare(_ op: CompareOp, _ a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>,
                                _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { compareAny(op, a, b, out, loop, $0) }
    }
    package static func compare(_ op: CompareOp, _ a: UnsafePointer<Int32>, _ b: UnsafePointer<Int32>,
                                _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { compareAny(op, a, b, out, loop, $0) }
    }
    package static func compare(_ op: CompareOp, _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>,
                                _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { compareAny(op, a, b, out, loop, $0) }
    }
    /// Also for booleans, when both hold only 0 and 1.
    package static func compare(_ op: CompareOp, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>,
                                _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { compareAny(op, a, b, out, loop, $0) }
    }

    package static func logical(_ op: LogicalOp, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>,
                                _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop, threads: Int = 1) {
        loop.forEachPart(threads: threads) { logicalPart(op, a, b, out, loop, $0) }
    }

    static func logicalPart(_ op: LogicalOp, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>,
                            _ out: UnsafeMutablePointer<UInt8>, _ loop: BroadcastLoop, _ part: BroadcastLoop.Part) {
        switch op {
        case .and: zip(a, b, out, loop, part) { $0 != 0 && $1 != 0 ? 1 : 0 }
        case .or: zip(a, b, out, loop, part) { $0 != 0 || $1 != 0 ? 1 : 0 }
        case .xor: zip(a, b, out, loop, part) { ($0 != 0) != ($1 != 0) ? 1 : 0 }
        }
    }

    /// The broadcast loop every binary kernel shares, over one thread's part of the output:
    /// the common stride patterns (both contiguous, one side constant along the row) get their
    /// own plain loops. The public entry points split the output into parts (`forEachPart`) and
    /// call a function per part that switches on the op, so `f` is inlined here: a split inside
    /// would hand the pool a closure calling `f` through a pointer per element (a SE block's
    /// channel Mul took 136 us per call on 2 threads against 25 us on 1).
    @inline(__always)
    static func zip<A, B, C>(_ a: UnsafePointer<A>, _ b: UnsafePointer<B>, _ out: UnsafeMutablePointer<C>,
                             _ loop: BroadcastLoop, _ part: BroadcastLoop.Part, _ f: (A, B) -> C) {
        precondition(loop.operandCount == 2, "binary kernels take a two-operand loop")
        let sa = loop.innerStride(0), sb = loop.innerStride(1)
        loop.forEachRun(in: part) { offsets, o, n in
            let pa = a + offsets[0], pb = b + offsets[1], po = out + o
            if sa == 1 && sb == 1 {
                for i in 0..<n { po[i] = f(pa[i], pb[i]) }
            } else if sa == 1 && sb == 0 {
                let v = pb.pointee
                for i in 0..<n { po[i] = f(pa[i], v) }
            } else if sa == 0 && sb == 1 {
                let v = pa.pointee
                for i in 0..<n { po[i] = f(v, pb[i]) }
            } else {
                for i in 0..<n { po[i] = f(pa[i * sa], pb[i * sb]) }
            }
        }
    }

    static func applyFloat<T: ElementFloat>(_ op: BinaryOp, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                            _ out: UnsafeMutablePointer<T>, _ loop: BroadcastLoop, _ part: BroadcastLoop.Part) {
        switch op {
        case .add: zip(a, b, out, loop, part) { $0 + $1 }
        case .sub: zip(a, b, out, loop, part) { $0 - $1 }
        case .mul: zip(a, b, out, loop, part) { $0 * $1 }
        case .div: zip(a, b, out, loop, part) { $0 / $1 }
        case .pow: zip(a, b, out, loop, part) { T.pow($0, $1) }
        // NaN in either operand gives NaN, as NumPy's minimum/maximum do.
        case .min: zip(a, b, out, loop, part) { $0.isNaN || $0 < $1 ? $0 : $1 }
        case .max: zip(a, b, out, loop, part) { $0.isNaN || $0 > $1 ? $0 : $1 }
        case .fmod: zip(a, b, out, loop, part) { T.fmod($0, $1) }
        case .mod:
            zip(a, b, out, loop, part) { x, y in
                let r = T.fmod(x, y)
                return r != 0 && (r < 0) != (y < 0) ? r + y : r
            }
        case .prelu: zip(a, b, out, loop, part) { $0 < 0 ? $0 * $1 : $0 }
        }
    }

    static func applyInteger<T: ElementInteger>(_ op: BinaryOp, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                                _ out: UnsafeMutablePointer<T>, _ loop: BroadcastLoop, _ part: BroadcastLoop.Part) {
        switch op {
        case .add: zip(a, b, out, loop, part) { $0 &+ $1 }
        case .sub: zip(a, b, out, loop, part) { $0 &- $1 }
        case .mul: zip(a, b, out, loop, part) { $0 &* $1 }
        case .div: zip(a, b, out, loop, part) { $1 == 0 ? 0 : $0.dividedReportingOverflow(by: $1).partialValue }
        case .pow: zip(a, b, out, loop, part) { integerPower($0, $1) }
        case .min: zip(a, b, out, loop, part) { Swift.min($0, $1) }
        case .max: zip(a, b, out, loop, part) { Swift.max($0, $1) }
        case .fmod: zip(a, b, out, loop, part) { $1 == 0 ? 0 : $0.remainderReportingOverflow(dividingBy: $1).partialValue }
        case .mod:
            zip(a, b, out, loop, part) { x, y in
                guard y != 0 else { return 0 }
                let r = x.remainderReportingOverflow(dividingBy: y).partialValue
                return r != 0 && (r < 0) != (y < 0) ? r &+ y : r
            }
        case .prelu: zip(a, b, out, loop, part) { $0 < 0 ? $0 &* $1 : $0 }
        }
    }

    /// `base ** exponent` by squaring, wrapping on overflow. A negative exponent gives what
    /// truncating the real result gives: 1 for base 1, ±1 for base -1, else 0.
    @inline(__always)
    static func integerPower<T: ElementInteger>(_ base: T, _ exponent: T) -> T {
        if exponent < 0 {
            if base == 1 { return 1 }
            if base == 0 &- 1 { return exponent & 1 == 0 ? 1 : base }
            return 0
        }
        var result: T = 1, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = result &* b }
            b = b &* b
            e >>= 1
        }
        return result
    }

    static func compareAny<T: Comparable>(_ op: CompareOp, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                          _ out: UnsafeMutablePointer<UInt8>, _ loop: BroadcastLoop, _ part: BroadcastLoop.Part) {
        switch op {
        case .equal: zip(a, b, out, loop, part) { $0 == $1 ? 1 : 0 }
        case .less: zip(a, b, out, loop, part) { $0 < $1 ? 1 : 0 }
        case .greater: zip(a, b, out, loop, part) { $0 > $1 ? 1 : 0 }
        case .lessOrEqual: zip(a, b, out, loop, part) { $0 <= $1 ? 1 : 0 }
        case .greaterOrEqual: zip(a, b, out, loop, part) { $0 >= $1 ? 1 : 0 }
        }
    }
}
