/// Float32 transposed convolution: per image and group, GEMM W^T * X into columns, then
/// col2im scatters them into the output. `geometry` is the forward view: its input is
/// ConvTranspose's output and its output is ConvTranspose's input. Weights are [C, M/group, k...].
package enum ConvTranspose {
    package static func scratchCount(outChannels: Int, group: Int, geometry: WindowGeometry) -> Int {
        outChannels / group * geometry.kernelSize * geometry.outputSize
    }

    package static func run(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            output: UnsafeMutablePointer<Float>, batch: Int, inChannels: Int, outChannels: Int,
                            group: Int, geometry g: WindowGeometry, scratch: UnsafeMutablePointer<Float>? = nil,
                            threads: Int = 1) {
        precondition(group >= 1 && inChannels % group == 0 && outChannels % group == 0, "channels must divide by group")
        let cg = inChannels / group, mg = outChannels / group
        let rows = mg * g.kernelSize, inSize = g.outputSize, outSize = g.inputSize
        if batch == 0 || outChannels == 0 || outSize == 0 { return }
        let columns = scratch ?? .allocate(capacity: max(1, rows * inSize))
        defer { if scratch == nil { columns.deallocate() } }
        for n in 0..<batch {
            for m in 0..<outChannels {
                (output + (n * outChannels + m) * outSize).update(repeating: bias?[m] ?? 0, count: outSize)
            }
            for gi in 0..<group {
                if cg == 0 || inSize == 0 { continue }
                BLAS.gemm(transA: true, transB: false, m: rows, n: inSize, k: cg, alpha: 1,
                          a: weights + gi * cg * rows, lda: rows,
                          b: input + (n * inChannels + gi * cg) * inSize, ldb: inSize,
                          beta: 0, c: columns, ldc: inSize, threads: threads)
                Im2Col.col2im(columns: columns, channels: mg, geometry: g,
                              image: output + (n * outChannels + gi * mg) * outSize)
            }
        }
    }
}
