import InferIR
import InferKernels

/// Gather, GatherElements, GatherND, ScatterElements, ScatterND, OneHot, NonZero. Indices are
/// wrapped and range-checked here (an out-of-range index is an error, never a wild read);
/// the kernels then copy by precomputed offsets.
enum IndexingLowering {
    static let bindings: [KernelBinding] = [
        KernelBinding.prepared("Gather") { ctx in
            let x = try ctx.input(0)
            let axis = try IndexingOperators.dataAxis(ctx.shapeContext, rank: x.rank)
            // Indices are checked into a buffer owned by the prepared kernel: once when they are
            // constant, every run (without allocating) when they are data such as token ids.
            let indices = try ctx.input(1)
            let normalized = try PreparedIndices(ctx, 1, bound: x.shape[axis])
            if ctx.inputValuesFixed(1) { try normalized.load() }
            let refresh = !ctx.inputValuesFixed(1)
            let src = x.rawPointer, outer = product(x.shape[..<axis]), axisDim = x.shape[axis]
            let inner = product(x.shape[(axis + 1)...]), elementSize = x.dtype.byteSize
            let dst = ctx.outputs[0].mutableRawPointer, threads = ctx.threads, count = indices.count
            return {
                if refresh { try normalized.load() }
                IndexedCopy.gather(src, outer: outer, axisDim: axisDim, inner: inner,
                                   indices: UnsafePointer(normalized.values), indexCount: count,
                                   elementSize: elementSize, into: dst, threads: threads)
            }
        },
        KernelBinding("GatherElements") { ctx in
            let x = try ctx.input(0)
            let offsets = try elementOffsets(ctx, data: x)
            offsets.withUnsafeBufferPointer { o in
                IndexedCopy.gatherChunks(x.rawPointer, offsets: o.baseAddress!, count: o.count, chunk: 1,
                                         elementSize: x.dtype.byteSize, into: ctx.outputs[0].mutableRawPointer)
            }
        },
        KernelBinding("ScatterElements") { ctx in
            let x = try ctx.input(0)
            let updates = try ctx.input(2)
            guard updates.shape == (try ctx.input(1)).shape else {
                throw ctx.error(.invalidShape, "updates \(updates.shape) must match indices \((try ctx.input(1)).shape)")
            }
            let offsets = try elementOffsets(ctx, data: x)
            try scatter(ctx, data: x, offsets: offsets, chunk: 1, updates: updates)
        },
        KernelBinding("GatherND") { ctx in
            let x = try ctx.input(0)
            let batchDims = try IndexingOperators.gatherNDBatchDims(ctx.shapeContext)
            let (offsets, chunk) = try tupleOffsets(ctx, data: x, batchDims: batchDims)
            offsets.withUnsafeBufferPointer { o in
                IndexedCopy.gatherChunks(x.rawPointer, offsets: o.baseAddress!, count: o.count, chunk: chunk,
                                         elementSize: x.dtype.byteSize, into: ctx.outputs[0].mutableRawPointer)
            }
        },
        KernelBinding("ScatterND") { ctx in
            let x = try ctx.input(0)
            let indices = try ctx.input(1)
            let updates = try ctx.input(2)
            let (offsets, chunk) = try tupleOffsets(ctx, data: x, batchDims: 0)
            let k = indices.shape.last ?? 0
            let expected = Array(indices.shape.dropLast()) + Array(x.shape[k...])
            guard updates.shape == expected else {
                throw ctx.error(.invalidShape, "updates have shape \(updates.shape), expected \(expected)")
            }
            try scatter(ctx, data: x, offsets: offsets, chunk: chunk, updates: updates)
        },
        KernelBinding("OneHot") { ctx in
            let indices = try ctx.input(0)
            let values = try ctx.input(2)
            let out = ctx.outputs[0]
            guard values.count == 2 else { throw ctx.error(.invalidShape, "values must hold [off, on], got \(values.shape)") }
            guard let depth = try IndexingOperators.oneHotDepth(ctx.shapeContext) else { throw ctx.error(.invalidModel, "depth is not known") }
            let axis = try IndexingOperators.oneHotAxis(ctx.shapeContext, outputRank: indices.rank + 1)
            // Classes outside [-depth, depth) give an all-off row.
            let classes = indices.intValues().map { v -> Int in
                let w = v < 0 ? v + depth : v
                return w >= 0 && w < depth ? w : -1
            }
            let es = values.dtype.byteSize
            classes.withUnsafeBufferPointer { c in
                Generators.oneHot(indices: c.baseAddress!, outer: product(indices.shape[..<axis]), depth: depth,
                                  inner: product(indices.shape[axis...]), off: values.rawPointer, on: values.rawPointer + es,
                                  elementSize: es, into: out.mutableRawPointer)
            }
        },
        KernelBinding("NonZero") { ctx in
            let x = try ctx.input(0)
            let out = ctx.outputs[0]
            let nnz = out.shape[1]
            Generators.nonZeroIndices(x.rawPointer, shape: x.rank == 0 ? [1] : x.shape, kind: x.dtype.kernelKind,
                                      nonZeroCount: nnz, into: out.pointer(as: Int64.self))
        },
    ]

    /// Element offsets into `data` for GatherElements/ScatterElements: indices (input 1) has the
    /// data's rank, each position reads its own coordinates with the axis one replaced.
    private static func elementOffsets(_ ctx: KernelContext, data: Tensor) throws -> [Int] {
        let indexTensor = try ctx.input(1)
        let rank = data.rank
        let axis = try IndexingOperators.dataAxis(ctx.shapeContext, rank: rank)
        let ishape = indexTensor.shape
        guard ishape.count == rank else { throw ctx.error(.invalidShape, "indices rank \(ishape.count) differs from data rank \(rank)") }
        for d in 0..<rank where d != axis && ishape[d] > data.shape[d] {
            throw ctx.error(.invalidShape, "indices shape \(ishape) exceeds data shape \(data.shape) on dim \(d)")
        }
        var offsets = try ctx.normalizedIndices(1, bound: data.shape[axis])
        guard !offsets.isEmpty else { return [] }
        let strides = Broadcasting.contiguousStrides(data.shape)
        var counter = [Int](repeating: 0, count: rank)
        var base = 0  // offset of the current coordinates with the axis coordinate left out
        for k in offsets.indices {
            offsets[k] = base + offsets[k] * strides[axis]
            var d = rank - 1
            while d >= 0 {
                counter[d] += 1
                if d != axis { base += strides[d] }
                if counter[d] < ishape[d] { break }
                if d != axis { base -= counter[d] * strides[d] }
                counter[d] = 0
                d -= 1
            }
        }
        return offsets
    }

    /// Chunk offsets for GatherND/ScatterND: each index tuple (last dim of input 1) addresses a
    /// slice of `chunk` elements, within its batch for batch_dims > 0.
    private static func tupleOffsets(_ ctx: KernelContext, data: Tensor, batchDims b: Int) throws -> ([Int], Int) {
        let indexTensor = try ctx.input(1)
        guard indexTensor.dtype == .int64 || indexTensor.dtype == .int32 else {
            throw ctx.error(.invalidModel, "indices must be int64 or int32, got \(indexTensor.dtype)")
        }
        let ishape = indexTensor.shape
        guard let k = ishape.last, k >= 1, b >= 0, b < ishape.count, b + k <= data.rank else {
            throw ctx.error(.invalidShape, "indices \(ishape) do not fit data \(data.shape) with batch_dims \(b)")
        }
        guard Array(ishape[..<b]) == Array(data.shape[..<b]) else {
            throw ctx.error(.invalidShape, "batch dims of indices \(ishape) and data \(data.shape) differ")
        }
        let raw = indexTensor.intValues()
        let strides = Broadcasting.contiguousStrides(data.shape)
        let chunk = product(data.shape[(b + k)...])
        let batchStride = product(data.shape[b...])
        let batches = product(ishape[..<b])
        let tuples = k == 0 ? 0 : raw.count / k
        let perBatch = batches == 0 ? 0 : tuples / batches
        var offsets = [Int](repeating: 0, count: tuples)
        for t in 0..<tuples {
            var offset = (perBatch == 0 ? 0 : t / perBatch) * batchStride
            for j in 0..<k {
                let dim = data.shape[b + j]
                let v = raw[t * k + j]
                let w = v < 0 ? v + dim : v
                guard w >= 0, w < dim else { throw ctx.error(.invalidShape, "index \(v) is out of range for a dim of size \(dim)") }
                offset += w * strides[b + j]
            }
            offsets[t] = offset
        }
        return (offsets, chunk)
    }

    /// output = data, then each update chunk combined in at its offset.
    private static func scatter(_ ctx: KernelContext, data: Tensor, offsets: [Int], chunk: Int, updates: Tensor) throws {
        guard updates.dtype == data.dtype else { throw ctx.error(.invalidModel, "updates \(updates.dtype) differ from data \(data.dtype)") }
        guard updates.count == offsets.count * chunk else {
            throw ctx.error(.invalidShape, "updates hold \(updates.count) elements, expected \(offsets.count * chunk)")
        }
        let out = ctx.outputs[0]
        copyContents(data, into: out)
        let reduction: IndexedCopy.Reduction = switch try IndexingOperators.scatterReduction(ctx.shapeContext) {
        case "add": .add
        case "mul": .mul
        case "max": .max
        case "min": .min
        default: .none
        }
        offsets.withUnsafeBufferPointer { o in
            IndexedCopy.scatterChunks(into: out.mutableRawPointer, offsets: o.baseAddress!, count: o.count, chunk: chunk,
                                      updates: updates.rawPointer, kind: data.dtype.kernelKind,
                                      elementSize: data.dtype.byteSize, reduction: reduction)
        }
    }
}
