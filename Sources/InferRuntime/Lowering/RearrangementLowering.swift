import InferIR
import InferKernels

/// Runtime bindings for `RearrangementOperators`: Unique, Col2Im, MaxUnpool, TensorScatter.
package enum RearrangementLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("Unique") { ctx in try unique(ctx) },
        KernelBinding("Col2Im") { ctx in try col2Im(ctx) }.accumulatingIntoOutputs(),   // sums overlapping patches
        KernelBinding("MaxUnpool") { ctx in try maxUnpool(ctx) }.accumulatingIntoOutputs(),   // scatters into zeros
        KernelBinding("TensorScatter") { ctx in try tensorScatter(ctx) },
    ]

    /// Y gathers the first occurrence of each unique slice; the int64 outputs come from the analysis.
    static func unique(_ ctx: KernelContext) throws {
        let x = try ctx.input(0)
        let axis = try RearrangementOperators.uniqueAxis(ctx.shapeContext, rank: x.rank)
        let analysis = try UniqueAnalysis(x, axis: axis, sorted: try RearrangementOperators.uniqueSorted(ctx.shapeContext))
        let y = ctx.outputs[0]
        let size = x.dtype.byteSize
        let outer = axis.map { x.shape[..<$0].reduce(1, *) } ?? 1
        let length = axis.map { x.shape[$0] } ?? x.count
        let innerBytes = (axis.map { x.shape[($0 + 1)...].reduce(1, *) } ?? 1) * size
        guard y.count == outer * analysis.count * innerBytes / max(size, 1) else {
            throw ctx.error(.invalidShape, "output Y has shape \(y.shape), expected \(analysis.count) unique entries")
        }
        for o in 0..<outer {
            for (u, j) in analysis.first.enumerated() {
                (y.mutableRawPointer + (o * analysis.count + u) * innerBytes)
                    .copyMemory(from: x.rawPointer + (o * length + j) * innerBytes, byteCount: innerBytes)
            }
        }
        for (k, values) in [analysis.first, analysis.inverse, analysis.counts].enumerated() where k + 1 < ctx.outputs.count {
            let out = ctx.outputs[k + 1]
            guard out.count == values.count else { throw ctx.error(.invalidShape, "output \(k + 1) has \(out.count) elements, expected \(values.count)") }
            let p = out.pointer(as: Int64.self)
            for (i, v) in values.enumerated() { p[i] = Int64(v) }
        }
    }

    static func col2Im(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), out = ctx.outputs[0]
        let image = try ctx.input(1).intValues(), block = try ctx.input(2).intValues()
        let n = image.count
        let dilations = try ctx.node.ints("dilations", default: [Int](repeating: 1, count: n))
        let pads = try ctx.node.ints("pads", default: [Int](repeating: 0, count: 2 * n))
        let strides = try ctx.node.ints("strides", default: [Int](repeating: 1, count: n))
        guard n > 0, block.count == n, dilations.count == n, pads.count == 2 * n, strides.count == n,
              image.allSatisfy({ $0 > 0 }), block.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }),
              strides.allSatisfy({ $0 > 0 }), pads.allSatisfy({ $0 >= 0 }) else {
            throw ctx.error(.invalidModel, "image_shape \(image), block_shape \(block), dilations \(dilations), pads \(pads), strides \(strides) are inconsistent")
        }
        let (padsBegin, padsEnd) = (Array(pads[..<n]), Array(pads[n...]))
        guard let blocks = Col2ImKernel.blockCounts(image: image, block: block, dilations: dilations, padsBegin: padsBegin,
                                                    padsEnd: padsEnd, strides: strides) else {
            throw ctx.error(.invalidModel, "image_shape \(image), block_shape \(block), dilations \(dilations), pads \(pads) overflow")
        }
        // Checked against the input before the offset table (kernel size x blocks entries) is
        // built: hostile shapes asked for a 48 GB table (fuzz finding).
        let kernelSize = block.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        let blockCount = blocks.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard x.rank == 3, blocks.allSatisfy({ $0 > 0 }), kernelSize < Int.max, blockCount < Int.max,
              x.shape[1] % kernelSize == 0, x.shape[2] == blockCount else {
            throw ctx.error(.invalidShape, "input \(x.shape) must be [N, C*\(kernelSize), \(blockCount)] for blocks \(blocks)")
        }
        // No channels: nothing to add, and no table (its size would not be bounded by the input).
        let table = x.shape[1] == 0 ? [] : Col2ImKernel.offsets(image: image, block: block, dilations: dilations,
                                                                padsBegin: padsBegin, padsEnd: padsEnd, strides: strides, blocks: blocks)
        let planes = x.shape[0] * (x.shape[1] / kernelSize), imageSize = image.reduce(1, *)
        func run<T: AdditiveArithmetic & TensorScalar>(_: T.Type) {
            Col2ImKernel.run(x.pointer(as: T.self), out.pointer(as: T.self), planes: planes, table: table, imageSize: imageSize)
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .int32: run(Int32.self)
        case .int8: run(Int8.self)
        case .uint8: run(UInt8.self)
        case .bool: throw ctx.error(.unsupportedDType, "Col2Im does not support bool")
        }
    }

    /// Indices address the flattened unpooled tensor of the inferred shape; with a larger
    /// `output_shape` that tensor sits at the output's origin (as the ONNX reference does).
    static func maxUnpool(_ ctx: KernelContext) throws {
        let x = try ctx.input(0), indices = try ctx.input(1), out = ctx.outputs[0]
        guard indices.shape == x.shape else { throw ctx.error(.invalidShape, "I \(indices.shape) must have X's shape \(x.shape)") }
        let inferred = try RearrangementOperators.unpooledShape(ctx.shapeContext, x.shape.map { .value($0) }).map { $0.intValue ?? 0 }
        guard out.rank == inferred.count, zip(out.shape, inferred).allSatisfy({ $0 >= $1 }) else {
            throw ctx.error(.invalidShape, "output_shape \(out.shape) is smaller than the unpooled shape \(inferred)")
        }
        let total = inferred.reduce(1, *)
        var positions = indices.intValues()
        let identity = out.shape == inferred
        for (i, v) in positions.enumerated() {
            guard v >= 0, v < total else { throw ctx.error(.invalidShape, "index \(v) is out of range for unpooled shape \(inferred)") }
            if identity { continue }
            var rest = v, offset = 0, scale = 1
            for d in stride(from: inferred.count - 1, through: 0, by: -1) {
                offset += (rest % inferred[d]) * scale
                rest /= inferred[d]
                scale *= out.shape[d]
            }
            positions[i] = offset
        }
        ElementPlacement.scatter(elementSize: x.dtype.byteSize, x.rawPointer, positions: positions, into: out.mutableRawPointer)
    }

    static func tensorScatter(_ ctx: KernelContext) throws {
        let past = try ctx.input(0), update = try ctx.input(1), out = ctx.outputs[0]
        let rank = past.rank
        let axis = try RearrangementOperators.tensorScatterAxis(ctx.shapeContext, rank: rank)
        guard update.rank == rank, (0..<rank).allSatisfy({ $0 == axis ? update.shape[$0] <= past.shape[$0] : update.shape[$0] == past.shape[$0] }) else {
            throw ctx.error(.invalidShape, "update \(update.shape) does not fit past_cache \(past.shape) along axis \(axis)")
        }
        let circular = try RearrangementOperators.tensorScatterCircular(ctx.shapeContext)
        let batch = past.shape[0], maxSequence = past.shape[axis], sequence = update.shape[axis]
        var writes = [Int](repeating: 0, count: batch)
        if let w = ctx.optionalInput(2) {
            guard w.shape == [batch] else { throw ctx.error(.invalidShape, "write_indices \(w.shape) must be [\(batch)]") }
            writes = w.intValues()
        }
        if !circular, let bad = writes.first(where: { $0 < 0 || $0 + sequence > maxSequence }) {
            throw ctx.error(.invalidShape, "write index \(bad) + \(sequence) updates exceeds the cache length \(maxSequence)")
        }
        if circular, maxSequence == 0, sequence > 0 { throw ctx.error(.invalidShape, "circular write into an empty cache") }
        if past.byteCount > 0 { out.mutableRawPointer.copyMemory(from: past.rawPointer, byteCount: past.byteCount) }
        ElementPlacement.scatterRows(elementSize: past.dtype.byteSize, update: update.rawPointer, into: out.mutableRawPointer,
                                     prefix: past.shape[..<axis].reduce(1, *), batch: batch, sequence: sequence,
                                     maxSequence: maxSequence, inner: past.shape[(axis + 1)...].reduce(1, *),
                                     writeIndices: writes, circular: circular)
    }
}
