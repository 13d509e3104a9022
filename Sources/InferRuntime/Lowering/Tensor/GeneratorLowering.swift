import InferIR
import InferKernels

/// Shape, Size, ConstantOfShape, Constant, Range.
enum GeneratorLowering {
    static let bindings: [KernelBinding] = [
        KernelBinding("Shape") { ctx in
            let x = try ctx.input(0)
            let (lo, hi) = try GeneratorOperators.shapeRange(ctx.shapeContext, rank: x.rank)
            let out = ctx.outputs[0].pointer(as: Int64.self)
            for (k, d) in x.shape[lo..<hi].enumerated() { out[k] = Int64(d) }
        },
        KernelBinding("Size") { ctx in
            ctx.outputs[0].pointer(as: Int64.self)[0] = Int64(try ctx.input(0).count)
        },
        KernelBinding("ConstantOfShape") { ctx in
            let value = try GeneratorOperators.constantOfShapeValue(ctx.shapeContext)
            let out = ctx.outputs[0]
            fillElements(out.mutableRawPointer, count: out.count, value: value.rawPointer, elementSize: value.dtype.byteSize)
        },
        KernelBinding("Constant") { ctx in
            copyContents(try GeneratorOperators.constantValue(ctx.shapeContext), into: ctx.outputs[0])
        },
        KernelBinding("Range") { ctx in
            let start = try ctx.input(0), delta = try ctx.input(2)
            let out = ctx.outputs[0]
            let n = out.count
            switch out.dtype {
            case .float32: Generators.range(float: start.pointer(as: Float.self)[0], delta: delta.pointer(as: Float.self)[0], count: n, into: out.pointer(as: Float.self))
            case .float64: Generators.range(double: start.pointer(as: Double.self)[0], delta: delta.pointer(as: Double.self)[0], count: n, into: out.pointer(as: Double.self))
            case .int64: Generators.range(int64: start.pointer(as: Int64.self)[0], delta: delta.pointer(as: Int64.self)[0], count: n, into: out.pointer(as: Int64.self))
            case .int32: Generators.range(int32: start.pointer(as: Int32.self)[0], delta: delta.pointer(as: Int32.self)[0], count: n, into: out.pointer(as: Int32.self))
            default: throw ctx.error(.unsupportedDType, "Range does not support \(out.dtype)")
            }
        },
    ]
}
