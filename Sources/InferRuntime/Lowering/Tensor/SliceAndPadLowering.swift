import InferIR
import InferKernels

/// Slice (a strided view copied out) and Pad (a per-dim index mapping with a fill value).
enum SliceAndPadLowering {
    static let bindings: [KernelBinding] = [
        KernelBinding.prepared("Slice") { ctx in
            // Bounds (inputs 1-4 from opset 10) are read once when constant, else every run.
            guard (1...4).allSatisfy({ ctx.inputValuesFixed($0) }) else {
                let everyRun = KernelContext(node: ctx.node, opset: ctx.opset, inputs: ctx.inputs, outputs: ctx.outputs,
                                             threads: ctx.threads)
                return { try prepareSlice(everyRun)() }
            }
            return try prepareSlice(ctx)
        },
        KernelBinding("Pad") { ctx in
            let x = try ctx.input(0)
            let out = ctx.outputs[0]
            let shapeContext = ctx.shapeContext
            let mode = try PadParameters.mode(shapeContext)
            guard let pads = try PadParameters.read(shapeContext, rank: x.rank) else {
                throw ctx.error(.invalidModel, "pads are not known")
            }
            var fill = Tensor(zeros: x.dtype, shape: [])
            if ctx.opset < 11 {
                fill = scalarTensor(Double(try ctx.node.float("value", default: 0)), as: x.dtype)
            } else if let v = ctx.optionalInput(2) {
                guard v.dtype == x.dtype else { throw ctx.error(.invalidModel, "constant_value is \(v.dtype), data is \(x.dtype)") }
                if v.count == 1 { fill = v } else if v.count != 0 { throw ctx.error(.invalidShape, "constant_value must be a scalar") }
            }
            var mappings: [[Int]] = []
            for d in 0..<x.rank {
                let (dim, b, e) = (x.shape[d], pads.begins[d], pads.ends[d])
                if dim == 0 && mode != .constant && out.shape[d] > 0 {
                    throw ctx.error(.invalidShape, "cannot \(mode.rawValue)-pad an empty dim \(d)")
                }
                mappings.append(PadParameters.mapping(dim: dim, begin: b, end: e, mode: mode))
            }
            MappedCopy.copy(from: x.rawPointer, sourceShape: x.shape, to: out.mutableRawPointer, mappings: mappings,
                            fill: fill.rawPointer, elementSize: x.dtype.byteSize, threads: ctx.threads)
        },
    ]

    static func prepareSlice(_ ctx: KernelContext) throws -> PreparedKernel {
        let x = try ctx.input(0)
        let out = ctx.outputs[0]
        guard let params = try SliceParameters.read(ctx.shapeContext, rank: x.rank) else {
            throw ctx.error(.invalidModel, "slice bounds are not known")
        }
        let plan = params.plan(dims: x.shape)
        let strides = Broadcasting.contiguousStrides(x.shape)
        var offset = 0
        for (p, s) in zip(plan, strides) where p.count > 0 { offset += p.start * s }
        let copy = StridedCopy.Plan(offset: offset, strides: zip(plan, strides).map { $0.step * $1 },
                                    shape: plan.map(\.count), elementSize: x.dtype.byteSize)
        let src = x.rawPointer, dst = out.mutableRawPointer, threads = ctx.threads
        return { copy.run(from: src, to: dst, threads: threads) }
    }
}
