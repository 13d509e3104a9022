import CInferSIMD

/// 3x3, stride 1, dilation 1 2-D convolution by Winograd's minimal filtering F(4x4, 3x3)
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
///
/// Each 4x4 block of output positions ("tile") of each channel is computed from the 6x6 input
/// patch under it: V = Bᵀ d B (input transform), then for each of the 36 points ξ of the 6x6
/// transformed domain one GEMM over channels, M_ξ[m, t] = Σ_c U_ξ[m, c] V_ξ[c, t], where
/// U = G g Gᵀ is the filter transformed once when the kernel is prepared; the output tile is
/// Aᵀ M A. That is 36 multiplies per channel pair and tile instead of 144 (4x fewer), the
/// multiply-adds still on OpenBLAS. The transforms are O(C·T + M·T): cheap next to the GEMMs when
/// there are enough tiles per image to share each transformed filter read (see `isProfitable`).
///
/// The interpolation points are 0, ±1, ±2 and ∞; with float32 the result differs from a direct
/// convolution by a few ulps times the magnitude of the sums (measured in `WinogradTests`).
package enum WinogradConvolution {
    /// Output tile edge (m in F(m, r)) and input patch edge (m + r - 1).
    static let tile = 4, patch = 6, points = 36

    /// A 3x3 kernel, stride 1, dilation 1, one spatial plane (no depth), as F(4x4, 3x3) needs.
    package static func applies(to g: WindowGeometry) -> Bool {
        g.kD == 1 && g.kH == 3 && g.kW == 3 && g.sH == 1 && g.sW == 1 && g.dH == 1 && g.dW == 1 && g.outD == 1 && g.inD == 1
    }

    /// Whether Winograd beats im2col + GEMM for this layer. Each of the 36 GEMMs reads its
    /// transformed filter (M x C) once for T tiles: with few tiles per image that read is the
    /// cost (4x the original filter's bytes), so the layer stays on im2col. Measured on ResNet-18
    /// at 224x224 (AMD EPYC, one thread, `bench --profile`): 28x28 (49 tiles) and 56x56 outputs
    /// win clearly; at 14x14 (16 tiles, 256 channels) im2col took 3.0 ms a layer, Winograd 3.4.
    package static func isProfitable(_ g: WindowGeometry, inChannels: Int, outChannels: Int) -> Bool {
        applies(to: g) && tileCount(g) >= 32 && inChannels >= 16 && outChannels >= 16
    }

    static func tilesH(_ g: WindowGeometry) -> Int { (g.outH + tile - 1) / tile }
    static func tilesW(_ g: WindowGeometry) -> Int { (g.outW + tile - 1) / tile }
    /// Tiles per image and channel.
    package static func tileCount(_ g: WindowGeometry) -> Int { tilesH(g) * tilesW(g) }

    /// Floats of transformed filter: [36][M][C].
    package static func transformedWeightCount(inChannels: Int, outChannels: Int) -> Int { points * outChannels * inChannels }

    /// Floats of scratch per call: the transformed input [36][C][T] and the GEMM results [36][M][T].
    package static func scratchCount(inChannels: Int, outChannels: Int, geometry g: WindowGeometry) -> Int {
        points * (inChannels + outChannels) * tileCount(g)
    }

    /// U_ξ = (G g Gᵀ)_ξ for every output channel m and input channel c, stored [ξ][m][c] so each
    /// ξ is one row-major M x C matrix. `weights` is [M, C, 3, 3].
    package static func transformWeights(_ weights: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                                         into u: UnsafeMutablePointer<Float>) {
        let plane = outChannels * inChannels
        for m in 0..<outChannels {
            for c in 0..<inChannels {
                let g = weights + (m * inChannels + c) * 9
                // G applied down each kernel column (3 -> 6 rows), then along each row.
                var columns = [Float](repeating: 0, count: 18)   // [6][3], once per filter at prepare time
                for j in 0..<3 {
                    let (g0, g1, g2) = (g[j], g[3 + j], g[6 + j])
                    let t = filterTransform(g0, g1, g2)
                    for i in 0..<6 { columns[i * 3 + j] = t[i] }
                }
                for i in 0..<6 {
                    let t = filterTransform(columns[i * 3], columns[i * 3 + 1], columns[i * 3 + 2])
                    for j in 0..<6 { u[(i * 6 + j) * plane + m * inChannels + c] = t[j] }
                }
            }
        }
    }

    /// G·(g0, g1, g2) for F(4, 3).
    static func filterTransform(_ g0: Float, _ g1: Float, _ g2: Float) -> [Float] {
        [g0 / 4,
         -(g0 + g1 + g2) / 6,
         -(g0 - g1 + g2) / 6,
         g0 / 24 + g1 / 12 + g2 / 6,
         g0 / 24 - g1 / 12 + g2 / 6,
         g2]
    }

    /// Y = tail(conv(X, W) (+ bias per output channel)) for a batch of images. `u` is
    /// `transformWeights`' output; `scratch` holds `scratchCount` floats. The tail runs on each
    /// output plane right after its output transform, while the plane is in cache.
    package static func convolve(input: UnsafePointer<Float>, transformedWeights u: UnsafePointer<Float>,
                                 bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, batch: Int,
                                 inChannels: Int, outChannels: Int, geometry g: WindowGeometry,
                                 scratch: UnsafeMutablePointer<Float>, tail: GemmEpilogue.Tail = .none, threads: Int) {
        let tiles = tileCount(g)
        let v = scratch, products = scratch + points * inChannels * tiles
        for n in 0..<batch {
            let x = input + n * inChannels * g.inputSize
            let y = output + n * outChannels * g.outputSize
            // CInferSIMD's transforms take eight tiles per register where the CPU has AVX2.
            let simd = SIMDKernels.level >= .avx2
            ParallelFor.forEach(inChannels, work: inChannels * tiles * 100, threads: threads) { c in
                if simd {
                    cinfer_winograd_input_avx2(x + c * g.inputSize, g.inH, g.inW, g.pH, g.pW, tilesH(g), tilesW(g),
                                               v + c * tiles, inChannels * tiles)
                } else {
                    transformInput(x + c * g.inputSize, g, into: v + c * tiles, pointStride: inChannels * tiles)
                }
            }
            for xi in 0..<points {
                BLAS.gemm(transA: false, transB: false, m: outChannels, n: tiles, k: inChannels, alpha: 1,
                          a: u + xi * outChannels * inChannels, lda: inChannels,
                          b: v + xi * inChannels * tiles, ldb: tiles,
                          beta: 0, c: products + xi * outChannels * tiles, ldc: tiles, threads: threads)
            }
            ParallelFor.forEach(outChannels, work: outChannels * tiles * 100, threads: threads) { m in
                if simd {
                    cinfer_winograd_output_avx2(products + m * tiles, outChannels * tiles, g.outH, g.outW, tilesH(g), tilesW(g),
                                                bias?[m] ?? 0, y + m * g.outputSize)
                } else {
                    transformOutput(products + m * tiles, pointStride: outChannels * tiles, g,
                                    bias: bias?[m] ?? 0, into: y + m * g.outputSize)
                }
                if !tail.isEmpty {
                    let plane = n * outChannels + m
                    GemmEpilogue.applyBlock(output: output, runs: plane..<plane + 1, columns: 0..<g.outputSize,
                                            runLength: g.outputSize, bias: .none, tail: tail)
                }
            }
        }
    }

    /// V = Bᵀ d B for every tile of one input plane; point ξ of tile t goes to `v[ξ * pointStride + t]`.
    @inline(__always)
    static func transformInput(_ plane: UnsafePointer<Float>, _ g: WindowGeometry, into v: UnsafeMutablePointer<Float>,
                               pointStride: Int) {
        let tw = tilesW(g), th = tilesH(g)
        for tileRow in 0..<th {
            let top = tileRow * tile - g.pH
            for tileColumn in 0..<tw {
                let left = tileColumn * tile - g.pW
                // The 6x6 patch as six 8-lane rows (lanes 6 and 7 unused), zero outside the plane.
                var d = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
                let interior = top >= 0 && top + patch <= g.inH && left >= 0 && left + 8 <= g.inW
                withUnsafeMutableBytes(of: &d) { rows in
                    let r = rows.baseAddress!.assumingMemoryBound(to: SIMD8<Float>.self)
                    for i in 0..<patch {
                        let ih = top + i
                        if interior {
                            r[i] = UnsafeRawPointer(plane + ih * g.inW + left).loadUnaligned(as: SIMD8<Float>.self)
                        } else if ih >= 0 && ih < g.inH {
                            var row = SIMD8<Float>()
                            for j in 0..<patch where left + j >= 0 && left + j < g.inW { row[j] = plane[ih * g.inW + left + j] }
                            r[i] = row
                        }
                    }
                }
                // Bᵀ down the columns (all six at once, lane-wise)...
                let (d0, d1, d2, d3, d4, d5) = d
                let t0 = 4 * d0 - 5 * d2 + d4
                let t1 = -4 * d1 - 4 * d2 + d3 + d4
                let t2 = 4 * d1 - 4 * d2 - d3 + d4
                let t3 = -2 * d1 - d2 + 2 * d3 + d4
                let t4 = 2 * d1 - d2 - 2 * d3 + d4
                let t5 = 4 * d1 - 5 * d3 + d5
                // ...then B along each row.
                let out = v + tileRow * tw + tileColumn
                storeRowTransform(t0, out, pointStride, row: 0)
                storeRowTransform(t1, out, pointStride, row: 1)
                storeRowTransform(t2, out, pointStride, row: 2)
                storeRowTransform(t3, out, pointStride, row: 3)
                storeRowTransform(t4, out, pointStride, row: 4)
                storeRowTransform(t5, out, pointStride, row: 5)
            }
        }
    }

    /// (t B)_j for one row t of Bᵀ d, stored at points (row, j).
    @inline(__always)
    static func storeRowTransform(_ t: SIMD8<Float>, _ out: UnsafeMutablePointer<Float>, _ stride: Int, row: Int) {
        let base = out + row * patch * stride
        base[0] = 4 * t[0] - 5 * t[2] + t[4]
        base[stride] = -4 * t[1] - 4 * t[2] + t[3] + t[4]
        base[2 * stride] = 4 * t[1] - 4 * t[2] - t[3] + t[4]
        base[3 * stride] = -2 * t[1] - t[2] + 2 * t[3] + t[4]
        base[4 * stride] = 2 * t[1] - t[2] - 2 * t[3] + t[4]
        base[5 * stride] = 4 * t[1] - 5 * t[3] + t[5]
    }

    /// Y = Aᵀ M A (+ bias) for every tile of one output plane; point ξ of tile t is
    /// `products[ξ * pointStride + t]`. Tiles past the plane's edge are clipped.
    @inline(__always)
    static func transformOutput(_ products: UnsafePointer<Float>, pointStride: Int, _ g: WindowGeometry,
                                bias: Float, into plane: UnsafeMutablePointer<Float>) {
        let tw = tilesW(g), th = tilesH(g)
        for tileRow in 0..<th {
            for tileColumn in 0..<tw {
                let p = products + tileRow * tw + tileColumn
                // The 6x6 products as six 8-lane rows; Aᵀ down the columns, lane-wise.
                @inline(__always) func row(_ i: Int) -> SIMD8<Float> {
                    let r = p + i * patch * pointStride
                    return SIMD8(r[0], r[pointStride], r[2 * pointStride], r[3 * pointStride],
                                 r[4 * pointStride], r[5 * pointStride], 0, 0)
                }
                let (m0, m1, m2, m3, m4, m5) = (row(0), row(1), row(2), row(3), row(4), row(5))
                let s = (m0 + m1 + m2 + m3 + m4,
                         m1 - m2 + 2 * m3 - 2 * m4,
                         m1 + m2 + 4 * m3 + 4 * m4,
                         m1 - m2 + 8 * m3 - 8 * m4 + m5)
                let top = tileRow * tile, left = tileColumn * tile
                let rows = min(tile, g.outH - top), columns = min(tile, g.outW - left)
                @inline(__always) func store(_ t: SIMD8<Float>, _ i: Int) {
                    guard i < rows else { return }
                    let o = (t[0] + t[1] + t[2] + t[3] + t[4] + bias,
                             t[1] - t[2] + 2 * t[3] - 2 * t[4] + bias,
                             t[1] + t[2] + 4 * t[3] + 4 * t[4] + bias,
                             t[1] - t[2] + 8 * t[3] - 8 * t[4] + t[5] + bias)
                    let dst = plane + (top + i) * g.outW + left
                    dst[0] = o.0
                    if columns > 1 { dst[1] = o.1 }
                    if columns > 2 { dst[2] = o.2 }
                    if columns > 3 { dst[3] = o.3 }
                }
                store(s.0, 0); store(s.1, 1); store(s.2, 2); store(s.3, 3)
            }
        }
    }
}
