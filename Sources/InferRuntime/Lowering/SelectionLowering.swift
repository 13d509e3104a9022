import InferIR
import InferKernels

/// Runtime bindings for `SelectionOperators`.
package enum SelectionLowering {
    package static let bindings: [KernelBinding] = [
        KernelBinding("Compress") { ctx in
            let x = try ctx.input(0), condition = try ctx.input(1), out = ctx.outputs[0]
            let compressAxis = try SelectionOperators.compressAxis(ctx.shapeContext, rank: x.rank)
            let flat = compressAxis == nil, axis = compressAxis ?? 0
            let dim = flat ? x.count : x.shape[axis]
            let selected = SelectionOperators.compressSelection(condition, limit: dim)
            let outer = flat ? 1 : x.shape[..<axis].reduce(1, *), inner = flat ? 1 : x.shape[(axis + 1)...].reduce(1, *)
            guard out.count == outer * selected.count * inner else { throw ctx.error(.invalidShape, "output \(out.shape) does not match") }
            (selected + [0]).withUnsafeBufferPointer { idx in
                IndexedCopy.gather(x.rawPointer, outer: outer, axisDim: dim, inner: inner, indices: idx.baseAddress!,
                                   indexCount: selected.count, elementSize: x.dtype.byteSize, into: out.mutableRawPointer)
            }
        },
        KernelBinding("ReverseSequence") { ctx in
            let x = try ctx.input(0), out = ctx.outputs[0]
            let (batchAxis, timeAxis) = try SelectionOperators.reverseSequenceAxes(ctx.shapeContext, rank: x.rank)
            let lengths = try ctx.input(1).intValues()
            guard lengths.count == x.shape[batchAxis], lengths.allSatisfy({ $0 >= 0 && $0 <= x.shape[timeAxis] }) else {
                throw ctx.error(.invalidShape, "sequence_lens \(lengths) must hold \(x.shape[batchAxis]) lengths <= \(x.shape[timeAxis])")
            }
            let strides = Broadcasting.contiguousStrides(x.shape)
            RemappedCopy.copy(x.rawPointer, into: out.mutableRawPointer, outputShape: x.shape, elementSize: x.dtype.byteSize) { index in
                var offset = 0
                let length = lengths[index[batchAxis]]
                for d in index.indices {
                    let i = d == timeAxis && index[d] < length ? length - 1 - index[d] : index[d]
                    offset += i * strides[d]
                }
                return offset
            }
        },
        KernelBinding("CenterCropPad") { ctx in
            let x = try ctx.input(0), out = ctx.outputs[0]
            let strides = Broadcasting.contiguousStrides(x.shape)
            // Per axis, output index o reads input o + shift (crop: shift > 0; pad: shift < 0).
            let shifts = zip(x.shape, out.shape).map { input, output in
                input >= output ? (input - output) / 2 : -((output - input) / 2)
            }
            RemappedCopy.copy(x.rawPointer, into: out.mutableRawPointer, outputShape: out.shape, elementSize: x.dtype.byteSize) { index in
                var offset = 0
                for d in index.indices {
                    let i = index[d] + shifts[d]
                    if i < 0 || i >= x.shape[d] { return -1 }
                    offset += i * strides[d]
                }
                return offset
            }
        }.accumulatingIntoOutputs(),
        KernelBinding("Scatter") { ctx in
            guard let scatterElements = LoweringTable.binding(for: Node(opType: "ScatterElements", inputs: [], outputs: [])) else {
                throw ctx.error(.unsupportedOperator, "ScatterElements is not available")
            }
            try scatterElements.run(ctx)
        },
    ]
}
