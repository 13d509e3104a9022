import InferIR
import InferKernels

/// Transpose, Concat, Split, Expand, Tile, Trilu, DepthToSpace, SpaceToDepth.
enum LayoutLowering {
    static let bindings: [KernelBinding] = [
        KernelBinding.prepared("Transpose") { ctx in
            let x = try ctx.input(0)
            let out = ctx.outputs[0]
            let perm = try LayoutOperators.transposePermutation(ctx.shapeContext, rank: x.rank)
            let strides = Broadcasting.contiguousStrides(x.shape)
            let copy = StridedCopy.Plan(strides: perm.map { strides[$0] }, shape: out.shape, elementSize: x.dtype.byteSize)
            let src = x.rawPointer, dst = out.mutableRawPointer, threads = ctx.threads
            return { copy.run(from: src, to: dst, threads: threads) }
        },
        KernelBinding.prepared("Concat") { ctx in
            let out = ctx.outputs[0]
            let axis = try LayoutOperators.concatAxis(ctx.shapeContext, rank: out.rank)
            let parts = try (0..<ctx.inputs.count).compactMap { i -> (pointer: UnsafeRawPointer, axisDim: Int)? in
                guard let t = ctx.inputs[i] else { return nil }
                guard t.rank == out.rank else { throw ctx.error(.invalidShape, "input \(i) has rank \(t.rank), expected \(out.rank)") }
                return (t.rawPointer, t.shape[axis])
            }
            let outer = product(out.shape[..<axis]), inner = product(out.shape[(axis + 1)...])
            let elementSize = out.dtype.byteSize, dst = out.mutableRawPointer, threads = ctx.threads
            return { ConcatSplit.concat(parts, outer: outer, inner: inner, elementSize: elementSize, into: dst, threads: threads) }
        },
        KernelBinding.prepared("Split") { ctx in
            let x = try ctx.input(0)
            let axis = try LayoutOperators.splitAxis(ctx.shapeContext, rank: x.rank)
            let parts = ctx.outputs.map { (pointer: $0.mutableRawPointer, axisDim: $0.shape[axis]) }
            let outer = product(x.shape[..<axis]), inner = product(x.shape[(axis + 1)...])
            let elementSize = x.dtype.byteSize, src = x.rawPointer, threads = ctx.threads
            return { ConcatSplit.split(src, outer: outer, inner: inner, elementSize: elementSize, into: parts, threads: threads) }
        },
        KernelBinding.prepared("Expand") { ctx in
            let x = try ctx.input(0)
            let out = ctx.outputs[0]
            let copy = StridedCopy.Plan(strides: Broadcasting.strides(of: x.shape, broadcastTo: out.shape),
                                        shape: out.shape, elementSize: x.dtype.byteSize)
            let src = x.rawPointer, dst = out.mutableRawPointer, threads = ctx.threads
            return { copy.run(from: src, to: dst, threads: threads) }
        },
        KernelBinding("Tile") { ctx in
            let x = try ctx.input(0)
            let out = ctx.outputs[0]
            let mappings = zip(x.shape, out.shape).map { d, o in (0..<o).map { $0 % d } }
            let zero = Tensor(zeros: x.dtype, shape: [])
            MappedCopy.copy(from: x.rawPointer, sourceShape: x.shape, to: out.mutableRawPointer, mappings: mappings,
                            fill: zero.rawPointer, elementSize: x.dtype.byteSize, threads: ctx.threads)
        },
        KernelBinding.prepared("Trilu") { ctx in
            let x = try ctx.input(0)
            let upper = try ctx.node.int("upper", default: 1) != 0
            let kt = ctx.optionalInput(1)
            if let kt {
                guard kt.dtype == .int64, kt.count == 1 else { throw ctx.error(.invalidModel, "k must be an int64 scalar") }
            }
            // k is read once when constant, else every run (a scalar load, no allocation).
            let fixedK = ctx.inputValuesFixed(1) ? kt.map { Int($0.pointer(as: Int64.self).pointee) } ?? 0 : nil
            let rows = x.shape[x.rank - 2], cols = x.shape[x.rank - 1]
            let src = x.rawPointer, dst = ctx.outputs[0].mutableRawPointer, batch = product(x.shape.dropLast(2))
            let elementSize = x.dtype.byteSize
            return {
                let k = fixedK ?? Int(kt!.pointer(as: Int64.self).pointee)
                Trilu.copy(from: src, to: dst, batch: batch, rows: rows, cols: cols, k: k, upper: upper, elementSize: elementSize)
            }
        }.accumulatingIntoOutputs(),
        KernelBinding("DepthToSpace") { ctx in
            let x = try ctx.input(0)
            let bs = try LayoutOperators.blockSize(ctx.shapeContext)
            let crd = ctx.opset >= 11 ? try LayoutOperators.depthMode(ctx.shapeContext) : false
            let (b, c, h, w) = (x.shape[0], x.shape[1] / (bs * bs), x.shape[2], x.shape[3])
            let view = crd ? [b, c, bs, bs, h, w] : [b, bs, bs, c, h, w]
            let perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]
            permutedCopy(x, view: view, perm: perm, into: ctx.outputs[0], threads: ctx.threads)
        },
        KernelBinding("SpaceToDepth") { ctx in
            let x = try ctx.input(0)
            let bs = try LayoutOperators.blockSize(ctx.shapeContext)
            let crd = ctx.opset >= 28 ? try LayoutOperators.depthMode(ctx.shapeContext) : false
            let view = [x.shape[0], x.shape[1], x.shape[2] / bs, bs, x.shape[3] / bs, bs]
            let perm = crd ? [0, 1, 3, 5, 2, 4] : [0, 3, 5, 1, 2, 4]
            permutedCopy(x, view: view, perm: perm, into: ctx.outputs[0], threads: ctx.threads)
        },
    ]

    /// out = transpose(reshape(x, view), perm), written contiguously into `out`.
    private static func permutedCopy(_ x: Tensor, view: [Int], perm: [Int], into out: Tensor, threads: Int) {
        let strides = Broadcasting.contiguousStrides(view)
        StridedCopy.copy(from: x.rawPointer, strides: perm.map { strides[$0] }, to: out.mutableRawPointer,
                         shape: perm.map { view[$0] }, elementSize: x.dtype.byteSize, threads: threads)
    }
}
