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

    /// Floats of scratch `convolve` needs for its column matrix (0 when the path needs none).
    package static func scratchCount(inChannels: Int, group: Int, geometry: WindowGeometry) -> Int {
        path(inChannels: inChannels, group: group, geometry: geometry) == .im2col
            ? inChannels / group * geometry.kernelSize * geometry.outputSize : 0
    }

    /// Y = tail(conv(X, W) + bias). `scratch` holds at least `scratchCount` floats, or is nil
    /// to allocate per call. Channels must divide by group.
    ///
    /// Pointwise and im2col convolutions run one part of the output per thread (`GemmParts`):
    /// each part's columns are built (im2col), multiplied (OpenBLAS on that thread) and
    /// finished (bias + tail, `GemmEpilogue.applyBlock`) in one go, while they are in that
    /// core's cache.
    package static func convolve(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                 output: UnsafeMutablePointer<Float>, batch: Int, inChannels: Int, outChannels: Int,
                                 group: Int, geometry g: WindowGeometry, scratch: UnsafeMutablePointer<Float>? = nil,
                                 tail: GemmEpilogue.Tail = .none, threads: Int = 1) {
        precondition(group >= 1 && inChannels % group == 0 && outChannels % group == 0, "channels must divide by group")
        let outSize = g.outputSize
        if batch == 0 || outChannels == 0 || outSize == 0 { return }
        let path = path(inChannels: inChannels, group: group, geometry: g)
        if path == .depthwise {
            DepthwiseConvolution.run(input: input, weights: weights, bias: bias, output: output, batch: batch,
                                     channels: inChannels, outChannels: outChannels, geometry: g, tail: tail, threads: threads)
            return
        }
        let cg = inChannels / group, mg = outChannels / group, kg = cg * g.kernelSize
        let parts = GemmParts(m: mg, n: outSize, k: kg, threads: threads)
        var owned: UnsafeMutablePointer<Float>? = nil
        var columns = scratch
        if path == .im2col, columns == nil {
            owned = .allocate(capacity: max(1, kg * outSize))
            columns = owned
        }
        defer { owned?.deallocate() }
        let biasLayout: GemmEpilogue.BiasLayout = bias.map { .perPlane($0, channels: outChannels) } ?? .none
        let finishes = bias != nil || !tail.isEmpty
        // Row parts all read every column: those are built once, before the parts run.
        let sharedColumns = path == .im2col && (!parts.cutsColumns || parts.count == 1)
        for n in 0..<batch {
            for gi in 0..<group {
                let x = input + (n * inChannels + gi * cg) * g.inputSize
                let firstPlane = n * outChannels + gi * mg
                let y = output + firstPlane * outSize
                if sharedColumns {
                    let rows = g.kernelSize * outSize, cols = columns!
                    ParallelFor.forEach(cg, work: cg * rows, threads: threads) { c in
                        Im2Col.im2col(input: x + c * g.inputSize, channels: 1, geometry: g, columns: cols + c * rows)
                    }
                }
                if GemmRecorder.isRecording {
                    GemmRecorder.record([GemmRecorder.Shape(transA: false, transB: false, m: mg, n: outSize, k: kg)], threads: threads)
                }
                parts.forEach(threads: threads) { rows, cols in
                    let b: UnsafePointer<Float>, ldb: Int
                    if path == .pointwise {
                        (b, ldb) = (x + cols.lowerBound, outSize)
                    } else if sharedColumns {
                        (b, ldb) = (UnsafePointer(columns!) + cols.lowerBound, outSize)
                    } else {
                        // This part's columns only, in its own slice of the column matrix.
                        let tile = columns! + kg * cols.lowerBound
                        Im2Col.im2col(input: x, channels: cg, geometry: g, columns: tile, positions: cols)
                        (b, ldb) = (UnsafePointer(tile), cols.count)
                    }
                    BLAS.gemm(transA: false, transB: false, m: rows.count, n: cols.count, k: kg, alpha: 1,
                              a: weights + (gi * mg + rows.lowerBound) * kg, lda: max(1, kg), b: b, ldb: ldb,
                              beta: 0, c: y + rows.lowerBound * outSize + cols.lowerBound, ldc: outSize, threads: 1,
                              record: false)
                    if finishes {
                        GemmEpilogue.applyBlock(output: output, runs: (firstPlane + rows.lowerBound)..<(firstPlane + rows.upperBound),
                                                columns: cols, runLength: outSize, bias: biasLayout, tail: tail)
                    }
                }
            }
        }
    }
}
