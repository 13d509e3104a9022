/// Float32 convolution, NC[D][H]W layout, weights [M, C/group, k...]. Three paths:
/// pointwise (1x1, stride 1, no pads) runs GEMM straight on the input; depthwise
/// (one input channel per group) runs a direct kernel; everything else is im2col + GEMM.
/// A fourth, Winograd F(4x4, 3x3) (`WinogradConvolution`), needs its filter transformed once,
/// so only a prepared kernel over constant weights takes it (`algorithm`).
package enum Convolution {
    package enum Path: Equatable { case pointwise, depthwise, winograd, im2col }

    /// The path for a layer whose weights are constant (`weightsFixed`) or not: `path`, or
    /// Winograd where it applies and wins (`WinogradConvolution.isProfitable`).
    package static func algorithm(inChannels: Int, outChannels: Int, group: Int, geometry: WindowGeometry,
                                  weightsFixed: Bool) -> Path {
        let base = path(inChannels: inChannels, group: group, geometry: geometry)
        guard base == .im2col, group == 1, weightsFixed,
              WinogradConvolution.isProfitable(geometry, inChannels: inChannels, outChannels: outChannels) else { return base }
        return .winograd
    }

    /// The path `convolve` takes (never Winograd: that is `algorithm`'s choice, run by its caller).
    package static func path(inChannels: Int, group: Int, geometry: WindowGeometry) -> Path {
        if geometry.isPointwise { return .pointwise }
        if group > 1, group == inChannels { return .depthwise }
        return .im2col
    }

    /// Floats of scratch `convolve` needs for its column buffer (0 when the path needs none).
    package static func scratchCount(inChannels: Int, group: Int, geometry: WindowGeometry) -> Int {
        path(inChannels: inChannels, group: group, geometry: geometry) == .im2col
            ? inChannels / group * geometry.kernelSize * geometry.outputSize : 0
    }

    /// Y = clamp(conv(X, W) + bias). `scratch` holds at least `scratchCount` floats, or is nil to
    /// allocate per call (until the memory planner provides it). Channels must divide by group.
    package static func convolve(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                 output: UnsafeMutablePointer<Float>, batch: Int, inChannels: Int, outChannels: Int,
                                 group: Int, geometry g: WindowGeometry, scratch: UnsafeMutablePointer<Float>? = nil,
                                 clamp: ConvolutionClamp? = nil, threads: Int = 1) {
        precondition(group >= 1 && inChannels % group == 0 && outChannels % group == 0, "channels must divide by group")
        let outSize = g.outputSize
        if batch == 0 || outChannels == 0 || outSize == 0 { return }
        let path = path(inChannels: inChannels, group: group, geometry: g)
        if path == .depthwise {
            DepthwiseConvolution.run(input: input, weights: weights, bias: bias, output: output, batch: batch,
                                     channels: inChannels, outChannels: outChannels, geometry: g, clamp: clamp, threads: threads)
            return
        }
        let cg = inChannels / group, mg = outChannels / group, kg = cg * g.kernelSize
        // Bias first, then GEMM accumulates (beta = 1).
        let beta: Float = bias == nil ? 0 : 1
        if let bias {
            for n in 0..<batch {
                for m in 0..<outChannels { (output + (n * outChannels + m) * outSize).update(repeating: bias[m], count: outSize) }
            }
        }
        var owned: UnsafeMutablePointer<Float>? = nil
        var columns = scratch
        if path == .im2col, columns == nil {
            owned = .allocate(capacity: max(1, kg * outSize))
            columns = owned
        }
        defer { owned?.deallocate() }
        for n in 0..<batch {
            for gi in 0..<group {
                let x = input + (n * inChannels + gi * cg) * g.inputSize
                let b: UnsafePointer<Float>
                if path == .pointwise {
                    b = x
                } else {
                    // Each channel fills its own kernelSize rows of the columns: split over the threads
                    // (the GEMM after it uses them too, through OpenBLAS).
                    let rows = g.kernelSize * outSize, cols = columns!
                    ParallelFor.forEach(cg, work: cg * rows, threads: threads) { c in
                        Im2Col.im2col(input: x + c * g.inputSize, channels: 1, geometry: g, columns: cols + c * rows)
                    }
                    b = UnsafePointer(cols)
                }
                BLAS.gemm(transA: false, transB: false, m: mg, n: outSize, k: kg, alpha: 1,
                          a: weights + gi * mg * kg, lda: max(1, kg), b: b, ldb: outSize,
                          beta: beta, c: output + (n * outChannels + gi * mg) * outSize, ldc: outSize, threads: threads)
            }
        }
        if let clamp {
            for i in 0..<batch * outChannels * outSize { output[i] = clamp.apply(output[i]) }
        }
    }
}
