import InferIR

/// Double results (of kernels that compute in Double: Resize, Einsum, ...) into a tensor of any
/// numeric type: floats rounded once, integers rounded half-to-even and saturated (numpy's
/// round then clip, as the ONNX reference's saturate_cast does).
func storeDoubles(_ values: [Double], into out: Tensor, _ ctx: KernelContext) throws {
    guard values.count == out.count else {
        throw ctx.error(.invalidShape, "computed \(values.count) values for an output of shape \(out.shape)")
    }
    func integers<T: FixedWidthInteger & TensorScalar>(_: T.Type) {
        let p = out.pointer(as: T.self)
        for (i, v) in values.enumerated() {
            let r = v.rounded(.toNearestOrEven)
            p[i] = r.isNaN ? 0 : (r <= Double(T.min) ? T.min : (r >= Double(T.max) ? T.max : T(r)))
        }
    }
    switch out.dtype {
    case .float32:
        let p = out.pointer(as: Float.self)
        for (i, v) in values.enumerated() { p[i] = Float(v) }
    case .float64:
        let p = out.pointer(as: Double.self)
        for (i, v) in values.enumerated() { p[i] = v }
    case .int64: integers(Int64.self)
    case .int32: integers(Int32.self)
    case .int8: integers(Int8.self)
    case .uint8: integers(UInt8.self)
    case .bool:
        let p = out.mutableRawPointer.assumingMemoryBound(to: UInt8.self)
        for (i, v) in values.enumerated() { p[i] = v != 0 ? 1 : 0 }
    }
}
