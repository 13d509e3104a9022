import CInferSIMD

/// A convolution (group 1, 1 to 3 spatial dims) of uint8 activations by int8 weights on the
/// int8 GEMM, with a float result. The activations have one scale and zero point fixed when
/// the plan is made (static quantization: what a QDQ model's `DequantizeLinear(x) -> Conv`
/// reads); the weights are symmetric with one scale per output channel. The sums are exact in
/// int32, so Y = conv(X - zx, W) * sx * sw[m] + bias[m] is what DequantizeLinear and a float
/// Conv compute, up to float rounding.
///
/// The GEMM has the output positions as rows: each position's window (its patch: `depth` bytes
/// in (kd, kh, kw, c) order, the zero point where the window lies in the padding) is a row of
/// A, and Wᵀ, its K put in that order and packed once, is B. X is first copied channels-last
/// (one pass over its bytes), so that a patch is a few contiguous copies: C bytes per tap, or
/// kW·C per kernel row where the row lies inside (built tap-major from NCHW, a patch was one
/// byte per store, `depth` bytes apart: two thirds of a ResNet-18 layer's time).
/// Positions go in tiles small enough for the core's cache: each
/// tile's patches are built, multiplied and transposed into Y's planes in one go, and each
/// thread takes a run of tiles with scratch of its own. When the model quantizes Y next (a QDQ
/// model's `Conv -> QuantizeLinear`), the tile is quantized where it is, in cache, and Y is
/// written as bytes: the float Y is never stored.
package final class Int8Convolution: @unchecked Sendable {
    package let inChannels: Int
    package let outChannels: Int
    package let geometry: WindowGeometry
    /// Output positions per tile.
    package let tileRows: Int
    private let weights: PackedInt8Matrix
    private let inputZero: UInt8
    private let kernel: Int8Kernel
    private let parts: Int
    /// Per part: `tileRows` patches of `depth` bytes (zeros past K, never overwritten).
    private let patches: UnsafeMutablePointer<UInt8>
    /// Per part: the tile's `[tileRows, outChannels]` product.
    private let products: UnsafeMutablePointer<Float>
    /// Per part: that product quantized, when Y is 8-bit.
    private let quantizedProducts: UnsafeMutablePointer<UInt8>
    /// One image of X channels-last: `[positions of X, inChannels]`.
    private let channelsLast: UnsafeMutablePointer<UInt8>
    /// 1x1, stride 1, no padding, and C a multiple of 4 (a patch row's `depth`): the GEMM reads
    /// `channelsLast` directly.
    private let patchesAreInput: Bool
    /// `tileRows` copies of the input scale and zero point: the GEMM takes them per row.
    private let rowScales: UnsafeMutablePointer<Float>
    private let rowZeros: UnsafeMutablePointer<Int32>

    /// The most K (channels x kernel taps) the int32 sums hold exactly.
    package static var maximumDepth: Int { PackedInt8Matrix.maximumDepth }

    /// `weights` is `[outChannels, inChannels * kernelSize]` (a Conv's W), `weightScales` one
    /// float per output channel; `threads` is the most the runs will use. `tileRows` overrides
    /// the cache-sized tile (tests use it to cut small outputs into many tiles).
    package init(weights w: UnsafePointer<Int8>, weightScales: UnsafePointer<Float>, inChannels: Int, outChannels: Int,
                 geometry: WindowGeometry, inputScale: Float, inputZero: UInt8, threads: Int, kernel: Int8Kernel = .chosen,
                 tileRows: Int? = nil) {
        let k = inChannels * geometry.kernelSize
        precondition(k <= Self.maximumDepth, "int8 convolution depth \(k) exceeds \(Self.maximumDepth)")
        (self.inChannels, self.outChannels, self.geometry, self.inputZero, self.kernel) = (inChannels, outChannels, geometry, inputZero, kernel)
        // W [M, C, taps] -> [M, taps, C], the patches' order.
        let taps = geometry.kernelSize
        var reordered = [Int8](repeating: 0, count: outChannels * k)
        for m in 0..<outChannels {
            for c in 0..<inChannels {
                for t in 0..<taps { reordered[(m * taps + t) * inChannels + c] = w[(m * inChannels + c) * taps + t] }
            }
        }
        weights = reordered.withUnsafeBufferPointer {
            PackedInt8Matrix(values: $0.baseAddress!, scales: weightScales, k: k, n: outChannels, transposed: true)
        }
        channelsLast = .allocate(capacity: max(1, inChannels * geometry.inputSize))
        patchesAreInput = geometry.isPointwise && weights.depth == inChannels
        // About 96 KB of patches and products per tile: they stay in L2 between the three steps.
        let bytesPerRow = weights.depth + 4 * outChannels
        self.tileRows = max(1, min(geometry.outputSize, tileRows ?? max(16, 96 * 1024 / max(1, bytesPerRow))))
        parts = ParallelFor.maximumParts(threads)
        let rows = self.tileRows
        patches = .allocate(capacity: parts * rows * weights.depth)
        patches.initialize(repeating: 0, count: parts * rows * weights.depth)
        products = .allocate(capacity: parts * rows * outChannels)
        products.initialize(repeating: 0, count: parts * rows * outChannels)
        quantizedProducts = .allocate(capacity: parts * rows * outChannels)
        quantizedProducts.initialize(repeating: 0, count: parts * rows * outChannels)
        rowScales = .allocate(capacity: rows)
        rowScales.initialize(repeating: inputScale, count: rows)
        rowZeros = .allocate(capacity: rows)
        rowZeros.initialize(repeating: Int32(inputZero), count: rows)
    }

    deinit {
        patches.deallocate()
        products.deallocate()
        quantizedProducts.deallocate()
        channelsLast.deallocate()
        rowScales.deallocate()
        rowZeros.deallocate()
    }

    /// Where Y goes: floats, or QuantizeLinear's bytes with Y's scale and zero point.
    package enum Output {
        case float(UnsafeMutablePointer<Float>)
        case uint8(UnsafeMutablePointer<UInt8>, scale: Float, zero: UInt8)
        case int8(UnsafeMutablePointer<Int8>, scale: Float, zero: Int8)
    }

    /// input `[batch, inChannels, in...]` uint8, output `[batch, outChannels, out...]`, plus
    /// `bias[m]` (outChannels floats) when given.
    package func run(input: UnsafePointer<UInt8>, bias: UnsafePointer<Float>?, output: Output, batch: Int, threads: Int) {
        switch output {
        case .float(let y): run(input, bias, y, batch, threads) { _, product, rows, planes in
            Self.transpose(product, rows: rows, columns: self.outChannels, into: planes, planeStride: self.geometry.outputSize)
        }
        case .uint8(let y, let scale, let zero): runQuantized(input, bias, y, scale, Float(zero), batch, threads)
        case .int8(let y, let scale, let zero): runQuantized(input, bias, y, scale, Float(zero), batch, threads)
        }
    }

    private func runQuantized<Q: FixedWidthInteger>(_ input: UnsafePointer<UInt8>, _ bias: UnsafePointer<Float>?,
                                                    _ y: UnsafeMutablePointer<Q>, _ scale: Float, _ zero: Float,
                                                    _ batch: Int, _ threads: Int) {
        let m = outChannels
        run(input, bias, y, batch, threads) { part, product, rows, planes in
            // Quantized into the part's byte scratch while the product is in cache, then transposed.
            let bytes = UnsafeMutableRawPointer(self.quantizedProducts + part * self.tileRows * m).assumingMemoryBound(to: Q.self)
            LinearQuantization.quantize(UnsafePointer(product), count: rows * m, scale: scale, zero: zero, into: bytes)
            cinfer_transpose_bytes(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), rows, m, m,
                                   UnsafeMutableRawPointer(planes).assumingMemoryBound(to: UInt8.self), self.geometry.outputSize)
        }
    }

    /// The tiles of every image, `store(part, product, rows, planes)` writing each tile's
    /// `[rows, m]` product (in part `part`'s scratch) to Y's planes from the tile's first position on.
    private func run<Y>(_ input: UnsafePointer<UInt8>, _ bias: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Y>,
                        _ batch: Int, _ threads: Int,
                        store: (Int, UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Y>) -> Void) {
        let g = geometry, positions = g.outputSize, m = outChannels
        guard positions > 0, m > 0 else { return }
        let tiles = (positions + tileRows - 1) / tileRows
        let work = positions * m * weights.k
        for n in 0..<batch {
            let y = output + n * m * positions
            toChannelsLast(input + n * inChannels * g.inputSize, threads: threads)
            ParallelFor.runParts(count: tiles, work: work, threads: min(threads, parts)) { part, range in
                let scratch = patches + part * tileRows * weights.depth, product = products + part * tileRows * m
                for t in range {
                    let first = t * tileRows, rows = min(tileRows, positions - first)
                    // A pointwise convolution's patches are X's channels-last rows themselves.
                    let tile = patchesAreInput ? channelsLast + first * weights.depth : scratch
                    if !patchesAreInput { buildPatches(positions: first..<first + rows, into: tile) }
                    kernel.gemm(tile, rows, weights.depth, rowScales, rowZeros, weights.storage, weights.columnSums,
                                weights.columnScales, bias, m, 0, weights.panels, product, m)
                    store(part, product, rows, y + first)
                }
            }
        }
    }

    /// `[rows, columns]` -> `columns` planes `planeStride` apart, `rows` values each.
    @inline(__always)
    private static func transpose<T>(_ tile: UnsafeMutablePointer<T>, rows: Int, columns: Int, into planes: UnsafeMutablePointer<T>,
                                     planeStride: Int) {
        for column in 0..<columns {
            let plane = planes + column * planeStride
            for r in 0..<rows { plane[r] = tile[r * columns + column] }
        }
    }

    /// One image `[inChannels, positions]` -> `channelsLast` `[positions, inChannels]`, the
    /// positions split between the threads.
    private func toChannelsLast(_ x: UnsafePointer<UInt8>, threads: Int) {
        let c = inChannels, size = geometry.inputSize, out = channelsLast
        let blocks = (size + 255) / 256
        ParallelFor.run(count: blocks, work: c * size, threads: threads) { range in
            let start = range.lowerBound * 256, end = min(size, range.upperBound * 256)
            cinfer_transpose_bytes(x + start, c, end - start, size, out + start * c, c)
        }
    }

    /// The patches of output positions `positions` (row r = position lowerBound + r) from
    /// `channelsLast`: column ((kd * kH + kh) * kW + kw) * C + c of each, the zero point where
    /// the tap is padding.
    private func buildPatches(positions: Range<Int>, into tile: UnsafeMutablePointer<UInt8>) {
        let g = geometry, c = inChannels, depth = weights.depth, zero = inputZero, x = UnsafePointer(channelsLast)
        let span = g.kW * c   // one kernel row's taps: contiguous in X when dW is 1 and the row lies inside
        for p in positions {
            var dst = tile + (p - positions.lowerBound) * depth
            let ow = p % g.outW, rest = p / g.outW, oh = rest % g.outH, od = rest / g.outH
            let iw0 = ow * g.sW - g.pW
            let wholeRow = iw0 >= 0 && iw0 + (g.kW - 1) * g.dW < g.inW
            for kd in 0..<g.kD {
                let id = od * g.sD - g.pD + kd * g.dD
                for kh in 0..<g.kH {
                    let ih = oh * g.sH - g.pH + kh * g.dH
                    if id < 0 || id >= g.inD || ih < 0 || ih >= g.inH {
                        dst.update(repeating: zero, count: span)
                    } else {
                        let row = x + (id * g.inH + ih) * g.inW * c
                        if wholeRow && g.dW == 1 {
                            dst.update(from: row + iw0 * c, count: span)
                        } else {
                            for kw in 0..<g.kW {
                                let iw = iw0 + kw * g.dW
                                if iw >= 0 && iw < g.inW {
                                    (dst + kw * c).update(from: row + iw * c, count: c)
                                } else {
                                    (dst + kw * c).update(repeating: zero, count: c)
                                }
                            }
                        }
                    }
                    dst += span
                }
            }
        }
    }
}
