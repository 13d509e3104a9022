import CInferSIMD

/// The elementwise tail of a fused GEMM or convolution, in one pass over its output:
/// `y = act(y + bias + r)` or `y = act(y + bias) + r`. The output is seen as runs of contiguous
/// elements that share a bias layout: a convolution's [N, M, spatial] output is N*M planes each
/// with one bias value; a GEMM's [rows, N] output is rows each with the whole bias vector.
///
/// The common activations (none, ReLU, Clip, HardSwish, GELU, GELU-tanh, Sigmoid, SiLU) run sixteen floats at a
/// time with bias, residual and activation in one pass (GELU through libm's `erff` per element was
/// ~80% of a BERT FFN layer); the others apply the unary kernels after the bias pass. With one
/// bias per run (a convolution's planes), bias + residual + clamp and bias + sigmoid / SiLU run
/// in CInferSIMD's AVX-512 or AVX2 kernels where the CPU has them.
package enum GemmEpilogue {
    package typealias Vector = SIMD16<Float>

    package enum BiasLayout {
        /// No bias.
        case none
        /// `runs` planes of `runLength`; plane p adds `bias[p % channels]`.
        case perPlane(UnsafePointer<Float>, channels: Int)
        /// Rows of `runLength`; element j of every row adds `bias[j]`.
        case perColumn(UnsafePointer<Float>)

        /// The one value run `r` adds, when every element of a run adds the same (nil for per-column).
        var planeValue: ((Int) -> Float)? {
            switch self {
            case .none: { _ in 0 }
            case .perPlane(let b, let channels): { b[$0 % channels] }
            case .perColumn: nil
            }
        }
    }

    /// What an epilogue does after the bias: an activation and a residual, each optional.
    /// `residual`, when given, is as long as the output and must not overlap it.
    package struct Tail: @unchecked Sendable {
        package var activation: UnaryOp?
        package var residual: UnsafePointer<Float>?
        /// y = act(y + bias + r) when true (or without an activation), else act(y + bias) + r.
        package var residualBeforeActivation: Bool

        package init(activation: UnaryOp? = nil, residual: UnsafePointer<Float>? = nil, residualBeforeActivation: Bool = false) {
            self.activation = activation
            self.residual = residual
            self.residualBeforeActivation = residualBeforeActivation
        }

        package static let none = Tail()

        package var isEmpty: Bool { activation == nil && residual == nil }

        /// The tail as a clamp a kernel can apply in its own output write (none, ReLU, Clip
        /// without a residual), else nil.
        package var clamp: ConvolutionClamp? {
            guard residual == nil else { return nil }
            switch activation {
            case nil: return ConvolutionClamp(low: -.infinity, high: .infinity)
            case .relu?: return ConvolutionClamp(low: 0, high: .infinity)
            case .clip(let low, let high)?: return ConvolutionClamp(low: Float(low), high: Float(high))
            default: return nil
            }
        }
    }

    /// Applies the epilogue in place on `output` (`runs * runLength` floats), split over `threads`.
    package static func apply(output: UnsafeMutablePointer<Float>, runs: Int, runLength: Int, bias: BiasLayout,
                              tail: Tail, threads: Int = 1) {
        if runs == 0 || runLength == 0 { return }
        let cost = tail.activation.map { $0.isExpensive ? ParallelFor.transcendentalCost : 1 } ?? 1
        // Split over runs out here, each part running the one-thread epilogue: a closure handed
        // to the worker pool calls what it captured indirectly, so splitting inside
        // `vectorized` would call the activation through a pointer per vector.
        ParallelFor.run(count: runs, work: runs * runLength * cost, threads: threads) { part in
            applyBlock(output: output, runs: part, columns: 0..<runLength, runLength: runLength, bias: bias, tail: tail)
        }
    }

    /// The epilogue on one block of the output, on the calling thread: elements `columns` of
    /// each run in `runs` (a GEMM or convolution cut into cache blocks finishes each block
    /// while it is in cache, `CacheBlocks`).
    package static func applyBlock(output: UnsafeMutablePointer<Float>, runs range: Range<Int>, columns: Range<Int>,
                                   runLength: Int, bias: BiasLayout, tail: Tail) {
        if range.isEmpty || columns.isEmpty { return }
        let residual = tail.residual, activation = tail.activation
        let early = tail.residualBeforeActivation || activation == nil
        let shape: Shape = (output, range, columns, runLength, bias, residual, early)
        let level = SIMDKernels.level
        if level > .baseline, residual == nil || early, let clamp = Tail(activation: activation).clamp,
           let planeBias = bias.planeValue {
            // CInferSIMD's kernel for the commonest conv tails: one bias per run, then an
            // optional residual and a clamp (none, ReLU, Clip).
            let run = level == .avx512 ? cinfer_bias_clamp_run_avx512 : cinfer_bias_clamp_run_avx2
            for r in range {
                let offset = r * runLength + columns.lowerBound
                run(output + offset, residual.map { $0 + offset }, columns.count, planeBias(r), clamp.low, clamp.high)
            }
            return
        }
        switch activation {
        case nil: vectorized(shape) { $0 }
        case .relu?:
            vectorized(shape) { v in
                var r = v
                r.replace(with: 0, where: v .< 0)
                return r
            }
        case .clip(let low, let high)?:
            let lo = Float(low), hi = Float(high)
            // Same order as the scalar Clip: raise to lo, then cap at hi (NaN stays NaN).
            vectorized(shape) { v in
                var r = v
                r.replace(with: lo, where: v .< lo)
                r.replace(with: hi, where: r .> hi)
                return r
            }
        case .hardSwish?:
            // x * clamp(x / 6 + 1/2, 0, 1), as UnaryKernels computes it (MobileNetV3's activation;
            // through the generic path it was a fifth of that model's run).
            vectorized(shape) { v in
                var t = v * (1 / 6 as Float) + 0.5
                t.replace(with: 0, where: t .< 0)
                t.replace(with: 1, where: t .> 1)
                return v * t
            }
        case .gelu(let tanhForm)? where level > .baseline && residual == nil:
            // CInferSIMD's kernels, bias in the same pass (per run or per column). The Swift
            // SIMD16 forms below compile to SSE2: with the tanh form there, GPT's bias + GELU
            // epilogue took twice as long as its int8 GEMM.
            let run = switch (level == .avx512, tanhForm) {
            case (true, false): cinfer_gelu_erf_run_avx512
            case (false, false): cinfer_gelu_erf_run_avx2
            case (true, true): cinfer_gelu_tanh_run_avx512
            case (false, true): cinfer_gelu_tanh_run_avx2
            }
            for r in range {
                let y = output + r * runLength + columns.lowerBound
                switch bias {
                case .none: run(y, y, columns.count, nil, 0)
                case .perPlane(let b, let channels): run(y, y, columns.count, nil, b[r % channels])
                case .perColumn(let b): run(y, y, columns.count, b + columns.lowerBound, 0)
                }
            }
        case .gelu(tanhApproximation: false)?: vectorized(shape) { GeluKernel.gelu($0) }
        case .gelu(tanhApproximation: true)?: vectorized(shape) { GeluKernel.geluTanh($0) }
        case .sigmoid?, .silu?:
            let silu = activation == .silu
            if level > .baseline, residual == nil, let planeBias = bias.planeValue {
                // CInferSIMD's kernel (AVX-512 or AVX2) for the common conv case: one bias per run.
                let run = level == .avx512 ? cinfer_sigmoid_run_avx512 : cinfer_sigmoid_run_avx2
                for r in range {
                    run(output + r * runLength + columns.lowerBound, columns.count, planeBias(r), silu ? 1 : 0)
                }
            } else if silu {
                vectorized(shape) { $0 * VectorMath.sigmoid($0) }
            } else {
                vectorized(shape) { VectorMath.sigmoid($0) }
            }
        case let op?: generic(shape, activation: op)
        }
    }

    private typealias Shape = (output: UnsafeMutablePointer<Float>, runs: Range<Int>, columns: Range<Int>, runLength: Int,
                               bias: BiasLayout, residual: UnsafePointer<Float>?, early: Bool)

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    /// One pass: y = f(y + bias (+ r)) (+ r), sixteen at a time; the tail runs through a padded
    /// vector so every element gets the same arithmetic.
    @inline(__always)
    private static func vectorized(_ s: Shape, _ f: (Vector) -> Vector) {
        let n = s.columns.count, first = s.columns.lowerBound
        for run in s.runs {
            let y = s.output + run * s.runLength + first
            let r = s.residual.map { $0 + run * s.runLength + first }
            var planeBias: Float = 0
            var columnBias: UnsafePointer<Float>? = nil
            switch s.bias {
            case .none: break
            case .perPlane(let b, let channels): planeBias = b[run % channels]
            case .perColumn(let b): columnBias = b + first
            }
            let early = s.early
            var i = 0
            while i + 16 <= n {
                var v = load(y + i) + planeBias
                if let columnBias { v += load(columnBias + i) }
                if early, let r { v += load(r + i) }
                v = f(v)
                if !early, let r { v += load(r + i) }
                UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: Vector.self)
                i += 16
            }
            if i < n {
                let count = n - i
                var v = Vector(), rv = Vector()
                for k in 0..<count {
                    v[k] = y[i + k] + planeBias
                    if let columnBias { v[k] += columnBias[i + k] }
                    if let r { rv[k] = r[i + k] }
                }
                if early { v += rv }
                v = f(v)
                if !early { v += rv }
                for k in 0..<count { y[i + k] = v[k] }
            }
        }
    }

    /// Bias (and an early residual) in one pass, then the activation through the unary kernels.
    private static func generic(_ s: Shape, activation: UnaryOp) {
        let n = s.columns.count, first = s.columns.lowerBound
        for run in s.runs {
            let y = s.output + run * s.runLength + first
            let r = s.residual.map { $0 + run * s.runLength + first }
            let early = s.early ? r : nil
            switch s.bias {
            case .none:
                if let early { for i in 0..<n { y[i] += early[i] } }
            case .perPlane(let b, let channels):
                let value = b[run % channels]
                if let early { for i in 0..<n { y[i] = y[i] + value + early[i] } }
                else { for i in 0..<n { y[i] += value } }
            case .perColumn(let b):
                let b = b + first
                if let early { for i in 0..<n { y[i] = y[i] + b[i] + early[i] } }
                else { for i in 0..<n { y[i] += b[i] } }
            }
            UnaryKernels.apply(activation, UnsafePointer(y), y, count: n, threads: 1)
            if !s.early, let r { for i in 0..<n { y[i] += r[i] } }
        }
    }
}
