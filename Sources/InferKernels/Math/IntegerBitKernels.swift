/// Bit operators of two broadcast integer operands.
package enum BitOp: Sendable, Equatable {
    case and, or, xor
    /// Shifts by `b` bits; an amount that is negative or at least the bit width gives 0 (left)
    /// or the sign fill, 0 or -1 (right), as the ONNX spec of BitShift says.
    case shiftLeft, shiftRight
}

/// Integer bit kernels over operands laid out by a `BroadcastLoop` (operand 0 = a, 1 = b).
package enum IntegerBitKernels {
    package static func apply(_ op: BitOp, _ a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>, _ out: UnsafeMutablePointer<Int64>, loop: BroadcastLoop) {
        run(op, a, b, out, loop)
    }
    package static func apply(_ op: BitOp, _ a: UnsafePointer<Int32>, _ b: UnsafePointer<Int32>, _ out: UnsafeMutablePointer<Int32>, loop: BroadcastLoop) {
        run(op, a, b, out, loop)
    }
    package static func apply(_ op: BitOp, _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ out: UnsafeMutablePointer<Int8>, loop: BroadcastLoop) {
        run(op, a, b, out, loop)
    }
    package static func apply(_ op: BitOp, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, loop: BroadcastLoop) {
        run(op, a, b, out, loop)
    }

    /// `y = ~x` over `count` elements of `elementSize` bytes (the complement is type-independent).
    package static func not(_ x: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, byteCount: Int) {
        let src = x.assumingMemoryBound(to: UInt8.self), dst = y.assumingMemoryBound(to: UInt8.self)
        for i in 0..<byteCount { dst[i] = ~src[i] }
    }

    private static func run<T: FixedWidthInteger>(_ op: BitOp, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                                   _ out: UnsafeMutablePointer<T>, _ loop: BroadcastLoop) {
        let sa = loop.innerStride(0), sb = loop.innerStride(1)
        loop.forEachRun(threads: 1) { offsets, start, length in
            let pa = a + offsets[0], pb = b + offsets[1], py = out + start
            switch op {
            case .and: for i in 0..<length { py[i] = pa[i * sa] & pb[i * sb] }
            case .or: for i in 0..<length { py[i] = pa[i * sa] | pb[i * sb] }
            case .xor: for i in 0..<length { py[i] = pa[i * sa] ^ pb[i * sb] }
            case .shiftLeft:
                for i in 0..<length {
                    let x = pa[i * sa], s = pb[i * sb]
                    py[i] = s < 0 || s >= T.bitWidth ? 0 : x << s
                }
            case .shiftRight:
                for i in 0..<length {
                    let x = pa[i * sa], s = pb[i * sb]
                    py[i] = s < 0 || s >= T.bitWidth ? (x < 0 ? ~T.zero : T.zero) : x >> s
                }
            }
        }
    }
}
