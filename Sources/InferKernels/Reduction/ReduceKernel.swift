import Foundation

/// The ONNX Reduce* family. Every one is an accumulation over `[outer, reduced, inner]`
/// (see `ReductionLayout`) followed by an optional per-output finishing step.
package enum ReduceOperation: Sendable, CaseIterable {
    case sum, mean, sumSquare, l1, l2, prod, max, min, logSum, logSumExp
}

/// Reductions of a row-major tensor over a set of axes. The output is laid out as the kept axes
/// in order, which is the memory order of the result for both `keepdims` settings.
package enum ReduceKernel {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    package static func reduce<T: ReductionScalar>(_ op: ReduceOperation, _ src: UnsafePointer<T>, shape: [Int], axes: [Int],
                                                   into dst: UnsafeMutablePointer<T>, threads: Int = 1) {
        reduce(op, src, shape: shape, layout: ReductionLayout(shape: shape, axes: axes), into: dst, threads: threads)
    }

    /// `reduce` with the layout computed by the caller, once, when a kernel is prepared. When the
    /// reduced axes are one block (the common case) this allocates nothing; otherwise the
    /// transpose still allocates its buffer per call.
    /// Specialized per element type (see `ReductionScalar`).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    package static func reduce<T: ReductionScalar>(_ op: ReduceOperation, _ src: UnsafePointer<T>, shape: [Int],
                                                   layout: ReductionLayout, into dst: UnsafeMutablePointer<T>,
                                                   threads: Int) {
        guard let permutation = layout.permutation else {
            reduceBlocks(op, src, layout, dst, threads)
            return
        }
        // Non-adjacent reduced axes: move them innermost once, then reduce contiguous rows.
        let total = shape.reduce(1, *)
        let moved = UnsafeMutablePointer<T>.allocate(capacity: max(total, 1))
        defer { moved.deallocate() }
        ReductionTranspose.permute(src, shape: shape, permutation: permutation, into: moved)
        reduceBlocks(op, UnsafePointer(moved), layout, dst, threads)
    }

    private static func reduceBlocks<T: ReductionScalar>(_ op: ReduceOperation, _ src: UnsafePointer<T>,
                                                         _ layout: ReductionLayout, _ dst: UnsafeMutablePointer<T>,
                                                         _ threads: Int) {
        let (outer, r, inner) = (layout.outer, layout.reduced, layout.inner)
        let work = outer * r * inner
        // Parallelize over outer rows, or over inner columns when there is a single outer row.
        let byOuter = outer > 1 || inner == 1
        ParallelFor.run(count: byOuter ? outer : inner, work: work, threads: threads) { range in
            let outers = byOuter ? range : 0..<outer
            let columns = byOuter ? 0..<inner : range
            switch op {
            case .sum, .mean, .logSum:
                accumulate(SumReducer<T>.self, src, outers, r, inner, columns, dst)
            case .sumSquare, .l2:
                accumulate(SumSquareReducer<T>.self, src, outers, r, inner, columns, dst)
            case .l1: accumulate(AbsSumReducer<T>.self, src, outers, r, inner, columns, dst)
            case .prod: accumulate(ProductReducer<T>.self, src, outers, r, inner, columns, dst)
            case .max, .logSumExp: accumulate(MaxReducer<T>.self, src, outers, r, inner, columns, dst)
            case .min: accumulate(MinReducer<T>.self, src, outers, r, inner, columns, dst)
            }
            for o in outers {
                let out = dst + o * inner
                switch op {
                case .mean: for i in columns { out[i] = T.mean(sum: out[i], count: r) }
                case .l2: for i in columns { out[i] = T(reducedDouble: out[i].asDouble.squareRoot()) }
                case .logSum: for i in columns { out[i] = T(reducedDouble: log(out[i].asDouble)) }
                case .logSumExp: finishLogSumExp(src + o * r * inner, r, inner, columns, out)
                default: break
                }
            }
        }
    }

    /// out[o, i] = combine over k of map(src[o, k, i]), for the given rows and columns.
    @inline(__always)
    private static func accumulate<R: ElementReducer>(_: R.Type, _ src: UnsafePointer<R.T>, _ outers: Range<Int>,
                                                      _ r: Int, _ inner: Int, _ columns: Range<Int>,
                                                      _ dst: UnsafeMutablePointer<R.T>) {
        for o in outers {
            let block = src + o * r * inner
            let out = dst + o * inner
            if inner == 1 {
                out[0] = reduceContiguous(R.self, block, r)
                continue
            }
            for i in columns { out[i] = R.identity }
            for k in 0..<r {
                let row = block + k * inner
                for i in columns { out[i] = R.combine(out[i], R.map(row[i])) }
            }
        }
    }

    /// Reduction of one contiguous run, with independent partial accumulators so the loop
    /// pipelines (and vectorizes) despite floating-point ordering.
    @inline(__always)
    private static func reduceContiguous<R: ElementReducer>(_: R.Type, _ p: UnsafePointer<R.T>, _ n: Int) -> R.T {
        var a0 = R.identity, a1 = R.identity, a2 = R.identity, a3 = R.identity
        var a4 = R.identity, a5 = R.identity, a6 = R.identity, a7 = R.identity
        var k = 0
        while k + 8 <= n {
            a0 = R.combine(a0, R.map(p[k])); a1 = R.combine(a1, R.map(p[k + 1]))
            a2 = R.combine(a2, R.map(p[k + 2])); a3 = R.combine(a3, R.map(p[k + 3]))
            a4 = R.combine(a4, R.map(p[k + 4])); a5 = R.combine(a5, R.map(p[k + 5]))
            a6 = R.combine(a6, R.map(p[k + 6])); a7 = R.combine(a7, R.map(p[k + 7]))
            k += 8
        }
        while k < n { a0 = R.combine(a0, R.map(p[k])); k += 1 }
        return R.combine(R.combine(R.combine(a0, a1), R.combine(a2, a3)), R.combine(R.combine(a4, a5), R.combine(a6, a7)))
    }

    /// With the row maxima already in `out`: out = max + log(sum(exp(x - max))), in Double.
    private static func finishLogSumExp<T: ReductionScalar>(_ block: UnsafePointer<T>, _ r: Int, _ inner: Int,
                                                            _ columns: Range<Int>, _ out: UnsafeMutablePointer<T>) {
        for i in columns {
            let m = out[i].asDouble
            guard m.isFinite else { continue }  // empty (-inf), all -inf, or +inf present: max is the answer
            var s = 0.0
            for k in 0..<r { s += exp(block[k * inner + i].asDouble - m) }
            out[i] = T(reducedDouble: m + log(s))
        }
    }
}

/// One accumulation: out = combine(out, map(x)) starting from identity.
protocol ElementReducer {
    associatedtype T: ReductionScalar
    static var identity: T { get }
    static func map(_ x: T) -> T
    static func combine(_ a: T, _ b: T) -> T
}

enum SumReducer<T: ReductionScalar>: ElementReducer {
    @inline(__always) static var identity: T { T.additiveIdentity }
    @inline(__always) static func map(_ x: T) -> T { x }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { T.plus(a, b) }
}

enum SumSquareReducer<T: ReductionScalar>: ElementReducer {
    @inline(__always) static var identity: T { T.additiveIdentity }
    @inline(__always) static func map(_ x: T) -> T { T.times(x, x) }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { T.plus(a, b) }
}

enum AbsSumReducer<T: ReductionScalar>: ElementReducer {
    @inline(__always) static var identity: T { T.additiveIdentity }
    @inline(__always) static func map(_ x: T) -> T { x.absoluteValue }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { T.plus(a, b) }
}

enum ProductReducer<T: ReductionScalar>: ElementReducer {
    @inline(__always) static var identity: T { T.multiplicativeIdentity }
    @inline(__always) static func map(_ x: T) -> T { x }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { T.times(a, b) }
}

enum MaxReducer<T: ReductionScalar>: ElementReducer {
    @inline(__always) static var identity: T { T.lowestValue }
    @inline(__always) static func map(_ x: T) -> T { x }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { b > a ? b : a }
}

enum MinReducer<T: ReductionScalar>: ElementReducer {
    @inline(__always) static var identity: T { T.highestValue }
    @inline(__always) static func map(_ x: T) -> T { x }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { b < a ? b : a }
}
