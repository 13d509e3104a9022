/// MaxPool that also returns where each maximum came from (MaxPool's optional Indices output):
/// the flat index into the whole input `[N, C, spatial...]`, row-major, or with `columnMajor`
/// (storage_order 1) H and W swapped within a plane. The first maximum wins. Rarely used, so one
/// straightforward loop.
package enum MaxPoolWithIndices {
    package static func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int64>,
                            planes: Int, geometry: WindowGeometry, columnMajor: Bool) {
        pool(input, output, indices, planes, geometry, columnMajor)
    }
    package static func run(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int64>,
                            planes: Int, geometry: WindowGeometry, columnMajor: Bool) {
        pool(input, output, indices, planes, geometry, columnMajor)
    }

    private static func pool<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int64>,
                                                    _ planes: Int, _ g: WindowGeometry, _ columnMajor: Bool) {
        var o = 0
        for p in 0..<planes {
            let plane = x + p * g.inputSize
            g.forEachOutput { od, oh, ow in
                var best = -T.infinity, bestIndex = -1
                g.forEachTapInside(od: od, oh: oh, ow: ow) { id, ih, iw in
                    let v = plane[(id * g.inH + ih) * g.inW + iw]
                    if v > best || bestIndex < 0 || (v.isNaN && !best.isNaN) {
                        best = v
                        bestIndex = columnMajor ? (id * g.inW + iw) * g.inH + ih : (id * g.inH + ih) * g.inW + iw
                    }
                }
                y[o] = best
                indices[o] = Int64(p * g.inputSize + max(bestIndex, 0))
                o += 1
            }
        }
    }
}
