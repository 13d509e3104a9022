import InferIR
import InferKernels

/// Runtime bindings for the fused ops (domain `swiftinfer`) of the FusedTransformer family.
/// Each is prepared: shapes, strides, offsets and scratch are worked out once per session.
package enum FusedTransformerLowering {
    package static let bindings: [KernelBinding] = [attention, rmsNormalization, gelu, onnxGelu, fusedElementwise]

    static let domain = FusedTransformerOperators.domain

    static let attention = KernelBinding.prepared("Attention", domain: domain) { ctx in
        let q = try ctx.input(0), k = try ctx.input(1), v = try ctx.input(2), out = ctx.outputs[0]
        guard q.dtype == .float32, k.dtype == .float32, v.dtype == .float32, out.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "Attention runs on float32 only")
        }
        let attributes = try FusedAttentionAttributes(ctx.node)
        let masks = try attributes.masks.indices.map { try ctx.input(3 + $0) }
        for (i, (mask, kind)) in zip(masks, attributes.masks).enumerated() where mask.dtype != (kind.isAdditive ? .float32 : .bool) {
            throw ctx.error(.dtypeMismatch, "mask \(i) (\(kind.name)) must be \(kind.isAdditive ? "float" : "bool"), got \(mask.dtype)")
        }
        let kTransposed = attributes.kTransposed
        guard q.rank >= 2, k.rank >= 2, v.rank >= 2 else { throw ctx.error(.invalidShape, "Q, K and V need rank >= 2") }
        let sq = q.shape[q.rank - 2], depth = q.shape[q.rank - 1]
        let sk = kTransposed ? k.shape[k.rank - 1] : k.shape[k.rank - 2]
        guard (kTransposed ? k.shape[k.rank - 2] : k.shape[k.rank - 1]) == depth else {
            throw ctx.error(.invalidShape, "Q \(q.shape) and K \(k.shape) disagree on the depth")
        }
        guard var scores = Broadcasting.shape(Array(q.shape.dropLast(2)), Array(k.shape.dropLast(2))) else {
            throw ctx.error(.invalidShape, "Q \(q.shape) and K \(k.shape) batch dims do not broadcast")
        }
        scores += [sq, sk]
        for mask in masks {
            guard let b = Broadcasting.shape(scores, mask.shape) else {
                throw ctx.error(.invalidShape, "mask \(mask.shape) does not broadcast to the scores \(scores)")
            }
            scores = b
        }
        let rows = scores[scores.count - 2], cols = scores[scores.count - 1], valueDepth = v.shape[v.rank - 1]
        guard v.shape[v.rank - 2] == cols, let batch = Broadcasting.shape(Array(scores.dropLast(2)), Array(v.shape.dropLast(2))),
              out.shape == batch + [rows, valueDepth] else {
            throw ctx.error(.invalidShape, "V \(v.shape) does not fit the scores \(scores) and output \(out.shape)")
        }
        let offsets = AttentionKernel.BatchOffsets(
            q: batchOffsets(q.shape, batch + [sq, depth], batch),
            k: batchOffsets(k.shape, batch + Array(k.shape.suffix(2)), batch),
            v: batchOffsets(v.shape, batch + [cols, valueDepth], batch))
        let kernelMasks = zip(masks, attributes.masks).map { mask, kind in
            let strides = Broadcasting.strides(of: mask.shape, broadcastTo: batch + [rows, cols])
            let kernelKind: AttentionKernel.MaskKind = switch kind {
            case .add: .add
            case .keep(let fill): .keep(fill: fill)
            case .drop(let fill): .drop(fill: fill)
            }
            return AttentionKernel.Mask(kind: kernelKind, data: UnsafeRawPointer(mask.mutableRawPointer),
                                        rowStride: strides[strides.count - 2], columnStride: strides[strides.count - 1],
                                        offsets: batchOffsets(mask.shape, batch + [rows, cols], batch))
        }
        let guards = AttentionKernel.RowGuards(causal: attributes.causal, zeroFullyMaskedRows: attributes.zeroFullyMaskedRows,
                                               zeroNaNProbabilities: attributes.zeroNaNProbabilities)
        let geometry = AttentionKernel.Geometry(sq: sq, sk: sk, depth: depth, valueDepth: valueDepth, rows: rows, cols: cols,
                                                kTransposed: kTransposed, scale: attributes.scale, guards: guards)
        let threads = ctx.threads
        let scratch = ScratchBuffer(count: AttentionKernel.scratchCount(geometry, threads: threads))
        let qp = q.pointer(as: Float.self), kp = k.pointer(as: Float.self), vp = v.pointer(as: Float.self)
        let op = out.pointer(as: Float.self)
        return {
            AttentionKernel.attention(q: qp, k: kp, v: vp, masks: kernelMasks, out: op, geometry: geometry, offsets: offsets,
                                      scratch: scratch.pointer, threads: threads)
        }
    }

    static let rmsNormalization = KernelBinding.prepared("RMSNormalization", domain: domain) { ctx in
        let x = try ctx.input(0), y = ctx.outputs[0]
        guard x.dtype == .float32, y.dtype == .float32, y.shape == x.shape, x.rank >= 1 else {
            throw ctx.error(.invalidShape, "RMSNormalization needs a float32 X of rank >= 1, got \(x.type)")
        }
        let n = x.shape[x.rank - 1], outer = n == 0 ? 0 : x.count / n
        let epsilon = try ctx.node.float("epsilon", default: 1e-5)
        let scale = ctx.optionalInput(1)
        if let scale, scale.dtype != .float32 || scale.count != n {
            throw ctx.error(.invalidShape, "scale \(scale.type) must hold \(n) floats")
        }
        let xp = x.pointer(as: Float.self), yp = y.pointer(as: Float.self), sp = scale?.pointer(as: Float.self)
        let threads = ctx.threads
        return { RMSNormKernel.rmsNorm(xp, outer: outer, n: n, epsilon: epsilon, scale: sp.map { UnsafePointer($0) }, into: yp, threads: threads) }
    }

    static let gelu = geluBinding(domain: domain)
    /// ONNX Gelu (opset 20) runs on the same kernel.
    static let onnxGelu = geluBinding(domain: "")

    static func geluBinding(domain: String) -> KernelBinding { KernelBinding.prepared("Gelu", domain: domain) { ctx in
        let x = try ctx.input(0), y = ctx.outputs[0]
        guard x.dtype == y.dtype, x.count == y.count else { throw ctx.error(.invalidShape, "output \(y.type) does not match input \(x.type)") }
        let tanhForm = try ElementwiseOperators.geluTanhApproximation(ctx.shapeContext)
        let op = UnaryOp.gelu(tanhApproximation: tanhForm)
        let n = x.count, threads = ctx.threads
        switch x.dtype {
        case .float32:
            let xp = x.pointer(as: Float.self), yp = y.pointer(as: Float.self)
            return { GeluKernel.apply(xp, yp, count: n, tanhApproximation: tanhForm, threads: threads) }
        case .float64:
            let xp = x.pointer(as: Double.self), yp = y.pointer(as: Double.self)
            return { UnaryKernels.apply(op, xp, yp, count: n, threads: threads) }
        default: throw ctx.error(.unsupportedDType, "Gelu needs float or double, got \(x.dtype)")
        }
    } }

    static let fusedElementwise = KernelBinding.prepared("FusedElementwise", domain: domain) { ctx in
        let inputs = try (0..<ctx.inputs.count).map { try ctx.input($0) }
        let out = ctx.outputs[0]
        guard inputs.allSatisfy({ $0.dtype == .float32 }), out.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "FusedElementwise runs on float32 only")
        }
        let (tokens, constants) = try FusedTransformerOperators.fusedElementwiseProgram(ctx.shapeContext)
        let program: ElementwiseProgram
        do {
            program = try ElementwiseProgram(tokens: tokens, constants: constants, inputCount: inputs.count)
        } catch let error as ElementwiseProgram.ParseError {
            throw ctx.error(.invalidModel, error.message)
        }
        guard Broadcasting.shape(inputs.map(\.shape)) == out.shape else {
            throw ctx.error(.invalidShape, "inputs \(inputs.map(\.shape)) do not broadcast to the output \(out.shape)")
        }
        let loop = BroadcastLoop(shape: out.shape, operandStrides: inputs.map { Broadcasting.strides(of: $0.shape, broadcastTo: out.shape) })
        let pointers = PointerTable(inputs.map { UnsafePointer($0.pointer(as: Float.self)) })
        let op = out.pointer(as: Float.self), threads = ctx.threads
        return { program.run(inputs: pointers.base, output: op, loop: loop, threads: threads) }
    }

    /// Element offsets of each batch entry of a tensor of `shape`, read as `full` (batch dims then
    /// two matrix dims), over the flattened `batch` dims.
    static func batchOffsets(_ shape: [Int], _ full: [Int], _ batch: [Int]) -> [Int] {
        let strides = shape.isEmpty ? [Int](repeating: 0, count: full.count) : Broadcasting.strides(of: shape, broadcastTo: full)
        let count = batch.reduce(1, *)
        var offsets = [Int](repeating: 0, count: count)
        // The batch dims lead `full`, so their strides are the first `batch.count`.
        MultiIndex.forEach(0..<count, dims: batch, strides: Array(strides.prefix(batch.count))) { b, offset in offsets[b] = offset }
        return offsets
    }
}

/// Scratch floats owned by one prepared kernel, freed with it.
final class ScratchBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(count: Int) {
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
}

/// A fixed table of input pointers owned by one prepared kernel.
final class PointerTable: @unchecked Sendable {
    let base: UnsafeMutablePointer<UnsafePointer<Float>>
    let count: Int
    init(_ pointers: [UnsafePointer<Float>]) {
        count = pointers.count
        base = .allocate(capacity: max(count, 1))
        base.initialize(from: pointers, count: count)
    }
    deinit { base.deallocate() }
}
