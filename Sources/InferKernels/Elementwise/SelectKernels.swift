/// Kernels that only move elements, so they work on any element type by its byte size:
/// `Where` (select) and broadcast copy (`Expand`-like, used to seed variadic ops).
package enum SelectKernels {
    /// `out[i] = cond[i] != 0 ? x[i] : y[i]` over a three-operand loop (cond, x, y).
    package static func select(elementSize: Int, condition: UnsafePointer<UInt8>, _ x: UnsafeRawPointer,
                               _ y: UnsafeRawPointer, _ out: UnsafeMutableRawPointer, loop: BroadcastLoop,
                               threads: Int = 1) {
        precondition(loop.operandCount == 3, "select takes a three-operand loop")
        switch elementSize {
        case 1: select(condition, x, y, out, loop, threads, as: UInt8.self)
        case 2: select(condition, x, y, out, loop, threads, as: UInt16.self)
        case 4: select(condition, x, y, out, loop, threads, as: UInt32.self)
        case 8: select(condition, x, y, out, loop, threads, as: UInt64.self)
        default: preconditionFailure("element size \(elementSize)")
        }
    }

    /// Copies operand 0 of a one-operand loop into the contiguous output (broadcasting it).
    package static func broadcastCopy(elementSize: Int, _ x: UnsafeRawPointer, _ out: UnsafeMutableRawPointer,
                                      loop: BroadcastLoop, threads: Int = 1) {
        precondition(loop.operandCount == 1, "broadcast copy takes a one-operand loop")
        switch elementSize {
        case 1: copy(x, out, loop, threads, as: UInt8.self)
        case 2: copy(x, out, loop, threads, as: UInt16.self)
        case 4: copy(x, out, loop, threads, as: UInt32.self)
        case 8: copy(x, out, loop, threads, as: UInt64.self)
        default: preconditionFailure("element size \(elementSize)")
        }
    }

    @inline(__always)
    static func select<T>(_ c: UnsafePointer<UInt8>, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer,
                          _ out: UnsafeMutableRawPointer, _ loop: BroadcastLoop, _ threads: Int, as: T.Type) {
        let x = x.assumingMemoryBound(to: T.self), y = y.assumingMemoryBound(to: T.self)
        let out = out.assumingMemoryBound(to: T.self)
        let sc = loop.innerStride(0), sx = loop.innerStride(1), sy = loop.innerStride(2)
        loop.forEachRun(threads: threads) { offsets, o, n in
            let pc = c + offsets[0], px = x + offsets[1], py = y + offsets[2], po = out + o
            if sc == 1 && sx == 1 && sy == 1 {
                for i in 0..<n { po[i] = pc[i] != 0 ? px[i] : py[i] }
            } else {
                for i in 0..<n { po[i] = pc[i * sc] != 0 ? px[i * sx] : py[i * sy] }
            }
        }
    }

    @inline(__always)
    static func copy<T>(_ x: UnsafeRawPointer, _ out: UnsafeMutableRawPointer, _ loop: BroadcastLoop,
                        _ threads: Int, as: T.Type) {
        let x = x.assumingMemoryBound(to: T.self), out = out.assumingMemoryBound(to: T.self)
        let sx = loop.innerStride(0)
        loop.forEachRun(threads: threads) { offsets, o, n in
            let px = x + offsets[0], po = out + o
            if sx == 1 {
                po.update(from: px, count: n)
            } else if sx == 0 {
                po.update(repeating: px.pointee, count: n)
            } else {
                for i in 0..<n { po[i] = px[i * sx] }
            }
        }
    }
}
