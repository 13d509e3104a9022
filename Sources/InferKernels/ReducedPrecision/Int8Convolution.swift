/// A convolution (group 1, 1 to 3 spatial dims) of uint8 activations by int8 weights on the
/// int8 GEMM, with a float result. The activations have one scale and zero point fixed when
/// the plan is made (static quantization: what a QDQ model's `DequantizeLinear(x) -> Conv`
/// reads); the weights are symmetric with one scale per output channel. The sums are exact in
/// int32, so Y = conv(X - zx, W) * sx * sw[m] + bias[m] is what DequantizeLinear and a float
/// Conv compute, up to float rounding.
///
/// The GEMM has the output positions as rows: each position's window (its patch: `depth` bytes
/// in (c, kd, kh, kw) order, the zero point where the window lies in the padding) is a row of
/// A, and Wᵀ, packed once, is B. Positions go in tiles small enough for the core's cache: each
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
        weights = PackedInt8Matrix(values: w, scales: weightScales, k: k, n: outChannels, transposed: true)
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
            Self.transpose(bytes, rows: rows, columns: m, into: planes, planeStride: self.geometry.outputSize)
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
            let x = input + n * inChannels * g.inputSize, y = output + n * m * positions
            ParallelFor.runParts(count: tiles, work: work, threads: min(threads, parts)) { part, range in
                let tile = patches + part * tileRows * weights.depth, product = products + part * tileRows * m
                for t in range {
                    let first = t * tileRows, rows = min(tileRows, positions - first)
                    buildPatches(x, positions: first..<first + rows, into: tile)
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

    /// The patches of output positions `positions` (row r = position lowerBound + r), column
    /// ((c * kD + kd) * kH + kh) * kW + kw of each, the zero point where the tap is padding.
    private func buildPatches(_ x: UnsafePointer<UInt8>, positions: Range<Int>, into tile: UnsafeMutablePointer<UInt8>) {
        let g = geometry, depth = weights.depth, zero = inputZero
        for c in 0..<inChannels {
            let plane = x + c * g.inputSize
            for kd in 0..<g.kD {
                for kh in 0..<g.kH {
                    for kw in 0..<g.kW {
                        let column = ((c * g.kD + kd) * g.kH + kh) * g.kW + kw
                        var p = positions.lowerBound
                        while p < positions.upperBound {
                            // The part of one output row (od, oh) in the tile: columns ow0..<ow1.
                            let row = p / g.outW, ow0 = p - row * g.outW
                            let ow1 = min(g.outW, ow0 + positions.upperBound - p)
                            let od = row / g.outH, oh = row - od * g.outH
                            let id = od * g.sD - g.pD + kd * g.dD, ih = oh * g.sH - g.pH + kh * g.dH
                            var dst = tile + (p - positions.lowerBound) * depth + column
                            if id < 0 || id >= g.inD || ih < 0 || ih >= g.inH {
                                for _ in ow0..<ow1 { dst.pointee = zero; dst += depth }
                            } else {
                                let source = plane + (id * g.inH + ih) * g.inW
                                var iw = ow0 * g.sW - g.pW + kw * g.dW
                                for _ in ow0..<ow1 {
                                    dst.pointee = iw >= 0 && iw < g.inW ? source[iw] : zero
                                    dst += depth
                                    iw += g.sW
                                }
                            }
                            p += ow1 - ow0
                        }
                    }
                }
            }
        }
    }
}
