/// RoiAlign (the ONNX reference / Caffe2 algorithm): each ROI [x1, y1, x2, y2] (scaled by
/// `spatialScale`, shifted by -0.5 in half-pixel mode) is split into outHeight x outWidth bins,
/// each sampled on a grid of bilinear points and pooled by average or by max (max of the
/// weighted corner terms, as the reference does). `batchIndices` must already be validated.
@_specialize(where T == Float)
@_specialize(where T == Double)
package func roiAlign<T: BinaryFloatingPoint>(
    input: UnsafePointer<T>, channels: Int, height: Int, width: Int,
    rois: UnsafePointer<T>, batchIndices: UnsafePointer<Int64>, roiCount: Int,
    outHeight: Int, outWidth: Int, samplingRatio: Int, spatialScale: Double,
    halfPixel: Bool, maxMode: Bool, output: UnsafeMutablePointer<T>
) {
    var samples: [RoiSample] = []
    for n in 0..<roiCount {
        let r = rois + n * 4
        let shift = halfPixel ? 0.5 : 0.0
        let startW = Double(r[0]) * spatialScale - shift, startH = Double(r[1]) * spatialScale - shift
        let endW = Double(r[2]) * spatialScale - shift, endH = Double(r[3]) * spatialScale - shift
        var roiW = endW - startW, roiH = endH - startH
        if !halfPixel { roiW = max(roiW, 1); roiH = max(roiH, 1) }
        let binH = roiH / Double(outHeight), binW = roiW / Double(outWidth)
        let gridH = samplingRatio > 0 ? samplingRatio : max(Int((roiH / Double(outHeight)).rounded(.up)), 0)
        let gridW = samplingRatio > 0 ? samplingRatio : max(Int((roiW / Double(outWidth)).rounded(.up)), 0)
        let count = Double(max(gridH * gridW, 1))

        samples.removeAll(keepingCapacity: true)
        for ph in 0..<outHeight {
            for pw in 0..<outWidth {
                for iy in 0..<gridH {
                    let yy = startH + Double(ph) * binH + (Double(iy) + 0.5) * binH / Double(gridH)
                    for ix in 0..<gridW {
                        let xx = startW + Double(pw) * binW + (Double(ix) + 0.5) * binW / Double(gridW)
                        if yy < -1 || yy > Double(height) || xx < -1 || xx > Double(width) {
                            samples.append(RoiSample()); continue
                        }
                        var y = max(yy, 0), x = max(xx, 0)
                        var yLow = Int(y), xLow = Int(x), yHigh: Int, xHigh: Int
                        if yLow >= height - 1 { yLow = height - 1; yHigh = yLow; y = Double(yLow) } else { yHigh = yLow + 1 }
                        if xLow >= width - 1 { xLow = width - 1; xHigh = xLow; x = Double(xLow) } else { xHigh = xLow + 1 }
                        let ly = y - Double(yLow), lx = x - Double(xLow), hy = 1 - ly, hx = 1 - lx
                        let rowLow = yLow * width, rowHigh = yHigh * width
                        let pos = (rowLow + xLow, rowLow + xHigh, rowHigh + xLow, rowHigh + xHigh)
                        let w: (Double, Double, Double, Double) = (hy * hx, hy * lx, ly * hx, ly * lx)
                        samples.append(RoiSample(pos: pos, w: w))
                    }
                }
            }
        }
        let batch = Int(batchIndices[n])
        let perBin = gridH * gridW
        for c in 0..<channels {
            let plane = input + (batch * channels + c) * height * width
            let out = output + (n * channels + c) * outHeight * outWidth
            for bin in 0..<(outHeight * outWidth) {
                var value = 0.0, first = true
                for s in samples[(bin * perBin)..<((bin + 1) * perBin)] {
                    let a = s.w.0 * Double(plane[s.pos.0]), b = s.w.1 * Double(plane[s.pos.1])
                    let e = s.w.2 * Double(plane[s.pos.2]), f = s.w.3 * Double(plane[s.pos.3])
                    if maxMode {
                        let m = max(max(a, b), max(e, f))
                        value = first ? m : max(value, m)
                        first = false
                    } else {
                        value += a + b + e + f
                    }
                }
                out[bin] = T(maxMode ? value : value / count)
            }
        }
    }
}

/// One bilinear sample point: four flat pixel offsets and their weights (all zero outside the image).
struct RoiSample { var pos = (0, 0, 0, 0); var w = (0.0, 0.0, 0.0, 0.0) }
