/// The elementwise tail of a fused GEMM or convolution, in one pass over its output:
/// `y = act(y + bias + r)` or `y = act(y + bias) + r`. The output is seen as runs of contiguous
/// elements that share a bias layout: a convolution's [N, M, spatial] output is N*M planes each
/// with one bias value; a GEMM's [rows, N] output is rows each with the whole bias vector.
package enum GemmEpilogue {
    package enum BiasLayout {
        /// No bias.
        case none
        /// `runs` planes of `runLength`; plane p adds `bias[p % channels]`.
        case perPlane(UnsafePointer<Float>, channels: Int)
        /// Rows of `runLength`; element j of every row adds `bias[j]`.
        case perColumn(UnsafePointer<Float>)
    }

    /// Applies the epilogue in place on `output` (`runs * runLength` floats). `residual`, when
    /// given, is as long as the output and must not overlap it.
    package static func apply(output: UnsafeMutablePointer<Float>, runs: Int, runLength: Int, bias: BiasLayout,
                              residual: UnsafePointer<Float>?, residualBeforeActivation: Bool,
                              activation: UnaryOp?, threads: Int = 1) {
        if runs == 0 || runLength == 0 { return }
        let addResidualFirst = residualBeforeActivation || activation == nil
        ParallelPlanes.forEach(runs, threads: threads, work: runs * runLength) { run in
            let y = output + run * runLength
            let r = residual.map { $0 + run * runLength }
            let early = addResidualFirst ? r : nil
            switch bias {
            case .none:
                if let early { addInPlace(y, early, runLength) }
            case .perPlane(let b, let channels):
                let value = b[run % channels]
                if let early { for i in 0..<runLength { y[i] = y[i] + value + early[i] } }
                else { for i in 0..<runLength { y[i] += value } }
            case .perColumn(let b):
                if let early { for i in 0..<runLength { y[i] = y[i] + b[i] + early[i] } }
                else { for i in 0..<runLength { y[i] += b[i] } }
            }
            if let activation { activate(y, runLength, activation) }
            if !addResidualFirst, let r { addInPlace(y, r, runLength) }
        }
    }

    @inline(__always)
    private static func addInPlace(_ y: UnsafeMutablePointer<Float>, _ r: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += r[i] }
    }

    /// ReLU and Clip inline (the common ResNet / MobileNet cases); the rest through the unary kernels.
    @inline(__always)
    private static func activate(_ y: UnsafeMutablePointer<Float>, _ n: Int, _ op: UnaryOp) {
        switch op {
        case .relu:
            for i in 0..<n { y[i] = y[i] < 0 ? 0 : y[i] }
        case .clip(let low, let high):
            let lo = Float(low), hi = Float(high)
            for i in 0..<n {
                let raised = y[i] < lo ? lo : y[i]
                y[i] = raised > hi ? hi : raised
            }
        default:
            UnaryKernels.apply(op, UnsafePointer(y), y, count: n, threads: 1)
        }
    }
}
