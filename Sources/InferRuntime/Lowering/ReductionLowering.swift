import InferIR
import InferKernels

/// Runtime bindings for the Reduction family: attributes in, `InferKernels` calls out.
package enum ReductionLowering {
    package static let bindings: [KernelBinding] =
        ReductionOperators.reduceOps.map { reduce($0.name, axesInputSince: $0.axesInputSince) }
        + [argReduce("ArgMax", findMax: true), argReduce("ArgMin", findMax: false), topK, cumSum]

    static let operations: [String: ReduceOperation] = [
        "ReduceSum": .sum, "ReduceMean": .mean, "ReduceMax": .max, "ReduceMin": .min, "ReduceProd": .prod,
        "ReduceL1": .l1, "ReduceL2": .l2, "ReduceSumSquare": .sumSquare, "ReduceLogSum": .logSum,
        "ReduceLogSumExp": .logSumExp,
    ]

    static func reduce(_ name: String, axesInputSince: Int) -> KernelBinding {
        let op = operations[name]!
        // Prepared: axes and the reduction layout resolved once (per run only when the axes
        // come from a non-constant input).
        return KernelBinding.prepared(name) { ctx in
            guard ctx.inputValuesFixed(1) else {
                let everyRun = KernelContext(node: ctx.node, opset: ctx.opset, inputs: ctx.inputs, outputs: ctx.outputs,
                                             threads: ctx.threads)
                return { try prepareReduce(op, axesInputSince, everyRun)() }
            }
            return try prepareReduce(op, axesInputSince, ctx)
        }
    }

    static func prepareReduce(_ op: ReduceOperation, _ axesInputSince: Int, _ ctx: KernelContext) throws -> PreparedKernel {
            let x = try ctx.input(0)
            guard let axes = try ReductionAxes.resolve(ctx.node, opset: ctx.opset, axesInputSince: axesInputSince,
                                                       rank: x.rank, axesInput: ctx.optionalInput(1),
                                                       hasAxesInput: ctx.optionalInput(1) != nil) else {
                throw ctx.error(.invalidModel, "axes are unknown at run time")
            }
            let y = ctx.outputs[0]
            let threads = ctx.threads
            let layout = ReductionLayout(shape: x.shape, axes: axes)
            let narrowMinMax = [.int8, .uint8, .bool].contains(x.dtype) && (op == .max || op == .min)
            guard [.float32, .float64, .int32, .int64].contains(x.dtype) || narrowMinMax else {
                throw ctx.error(.unsupportedDType, "input type \(x.dtype) is not supported")
            }
            return {
            switch x.dtype {
            case .float32:
                ReduceKernel.reduce(op, x.pointer(as: Float.self), shape: x.shape, layout: layout, into: y.pointer(as: Float.self), threads: threads)
            case .float64:
                ReduceKernel.reduce(op, x.pointer(as: Double.self), shape: x.shape, layout: layout, into: y.pointer(as: Double.self), threads: threads)
            case .int32:
                ReduceKernel.reduce(op, x.pointer(as: Int32.self), shape: x.shape, layout: layout, into: y.pointer(as: Int32.self), threads: threads)
            case .int64:
                ReduceKernel.reduce(op, x.pointer(as: Int64.self), shape: x.shape, layout: layout, into: y.pointer(as: Int64.self), threads: threads)
            case .int8, .uint8, .bool:  // only max and min get here (see `narrowMinMax`)
                // Exact in int32; the empty-set identities (Int32.min / .max) saturate to the narrow
                // type's, and to false / true for bool (the identities of any / all).
                let wide = try ElementwiseLowering.converted(ctx, x, to: .int32), out = try Tensor.zeros(.int32, shape: y.shape)
                withExtendedLifetime(wide) {
                    ReduceKernel.reduce(op, wide.pointer(as: Int32.self), shape: x.shape, layout: layout, into: out.pointer(as: Int32.self),
                                        threads: threads)
                }
                narrow(out, into: y)
            }
            }
    }

    /// int32 values into an int8, uint8 or bool tensor, saturating (bool: positive is true).
    static func narrow(_ wide: Tensor, into out: Tensor) {
        let src = wide.pointer(as: Int32.self), n = out.count
        switch out.dtype {
        case .int8:
            let dst = out.pointer(as: Int8.self)
            for i in 0..<n { dst[i] = Int8(clamping: src[i]) }
        case .uint8:
            let dst = out.pointer(as: UInt8.self)
            for i in 0..<n { dst[i] = UInt8(clamping: src[i]) }
        default:
            let dst = out.mutableRawPointer.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { dst[i] = src[i] > 0 ? 1 : 0 }
        }
    }

    /// [outer, axis size, inner] of a row-major shape split at `axis`.
    static func split(_ shape: [Int], at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    static func argReduce(_ name: String, findMax: Bool) -> KernelBinding {
        KernelBinding(name) { ctx in
            let x = try ctx.input(0)
            let axis = try ReductionOperators.argReduceAxis(ctx.shapeContext, rank: x.rank)
            let selectLast = try ctx.node.int("select_last_index", default: 0) != 0
            let (outer, size, inner) = split(x.shape, at: axis)
            guard size > 0 else { throw ctx.error(.invalidShape, "cannot take \(name) over the empty axis \(axis)") }
            let y = ctx.outputs[0].pointer(as: Int64.self)
            switch x.dtype {
            case .float32:
                ArgReduceKernel.argReduce(x.pointer(as: Float.self), outer: outer, reduced: size, inner: inner,
                                          findMax: findMax, selectLast: selectLast, into: y)
            case .float64:
                ArgReduceKernel.argReduce(x.pointer(as: Double.self), outer: outer, reduced: size, inner: inner,
                                          findMax: findMax, selectLast: selectLast, into: y)
            case .int32:
                ArgReduceKernel.argReduce(x.pointer(as: Int32.self), outer: outer, reduced: size, inner: inner,
                                          findMax: findMax, selectLast: selectLast, into: y)
            case .int64:
                ArgReduceKernel.argReduce(x.pointer(as: Int64.self), outer: outer, reduced: size, inner: inner,
                                          findMax: findMax, selectLast: selectLast, into: y)
            default:
                throw ctx.error(.unsupportedDType, "input type \(x.dtype) is not supported")
            }
        }
    }

    static let topK = KernelBinding("TopK") { ctx in
        let x = try ctx.input(0)
        let axis = try ReductionOperators.topKAxis(ctx.shapeContext, rank: x.rank)
        guard let k = try ReductionOperators.topKCount(ctx.shapeContext) else { throw ctx.error(.invalidModel, "K is unknown") }
        let (outer, size, inner) = split(x.shape, at: axis)
        guard k <= size else { throw ctx.error(.invalidShape, "k = \(k) is larger than the axis size \(size)") }
        let largest = ctx.opset < 11 ? true : try ctx.node.int("largest", default: 1) != 0
        // `sorted = 0` leaves the order unspecified, so sorted output is always valid.
        let values = ctx.outputs[0], indices = ctx.outputs[1].pointer(as: Int64.self)
        switch x.dtype {
        case .float32:
            TopKKernel.topK(x.pointer(as: Float.self), outer: outer, axisSize: size, inner: inner, k: k, largest: largest,
                            values: values.pointer(as: Float.self), indices: indices)
        case .float64:
            TopKKernel.topK(x.pointer(as: Double.self), outer: outer, axisSize: size, inner: inner, k: k, largest: largest,
                            values: values.pointer(as: Double.self), indices: indices)
        case .int32:
            TopKKernel.topK(x.pointer(as: Int32.self), outer: outer, axisSize: size, inner: inner, k: k, largest: largest,
                            values: values.pointer(as: Int32.self), indices: indices)
        case .int64:
            TopKKernel.topK(x.pointer(as: Int64.self), outer: outer, axisSize: size, inner: inner, k: k, largest: largest,
                            values: values.pointer(as: Int64.self), indices: indices)
        default:
            throw ctx.error(.unsupportedDType, "input type \(x.dtype) is not supported")
        }
    }

    static let cumSum = KernelBinding("CumSum") { ctx in
        let x = try ctx.input(0)
        let axis = try ReductionOperators.cumSumAxis(ctx.node, ctx.input(1), rank: x.rank)
        let exclusive = try ctx.node.int("exclusive", default: 0) != 0
        let reverse = try ctx.node.int("reverse", default: 0) != 0
        let (outer, size, inner) = split(x.shape, at: axis)
        let y = ctx.outputs[0]
        switch x.dtype {
        case .float32:
            CumSumKernel.cumSum(x.pointer(as: Float.self), outer: outer, axisSize: size, inner: inner, exclusive: exclusive,
                                reverse: reverse, into: y.pointer(as: Float.self))
        case .float64:
            CumSumKernel.cumSum(x.pointer(as: Double.self), outer: outer, axisSize: size, inner: inner, exclusive: exclusive,
                                reverse: reverse, into: y.pointer(as: Double.self))
        case .int32:
            CumSumKernel.cumSum(x.pointer(as: Int32.self), outer: outer, axisSize: size, inner: inner, exclusive: exclusive,
                                reverse: reverse, into: y.pointer(as: Int32.self))
        case .int64:
            CumSumKernel.cumSum(x.pointer(as: Int64.self), outer: outer, axisSize: size, inner: inner, exclusive: exclusive,
                                reverse: reverse, into: y.pointer(as: Int64.self))
        default:
            throw ctx.error(.unsupportedDType, "input type \(x.dtype) is not supported")
        }
    }
}
