import Foundation

/// The triangular mel filter bank of the ONNX reference: [dftLength/2 + 1, melBins] weights,
/// row-major, filters spaced evenly on the mel scale between the edge frequencies and snapped
/// to DFT bins. Returns nil when a filter edge falls outside the spectrogram bins.
package func melWeightMatrix(melBins: Int, dftLength: Int, sampleRate: Int, lowerHertz: Double, upperHertz: Double) -> [Double]? {
    let spectrogramBins = dftLength / 2 + 1
    let lowMel = 2595 * Foundation.log1p(lowerHertz / 700) / Foundation.log(10.0)
    let highMel = 2595 * Foundation.log1p(upperHertz / 700) / Foundation.log(10.0)
    let step = (highMel - lowMel) / Double(melBins + 2)
    var edges: [Int] = []
    for i in 0..<(melBins + 2) {
        let mel = Double(i) * step + lowMel
        let hertz = 700 * Foundation.expm1(mel / 2595 * Foundation.log(10.0))
        let bin = (Double(dftLength + 1) * hertz / Double(sampleRate)).rounded(.down)
        guard bin.isFinite, abs(bin) < 1e12 else { return nil }
        edges.append(Int(bin))
    }
    var output = [Double](repeating: 0, count: spectrogramBins * melBins)
    for i in 0..<melBins {
        let low = edges[i], center = edges[i + 1], high = edges[i + 2]
        guard low >= 0, center >= 0, high >= 0, low < spectrogramBins, center < spectrogramBins,
              high <= spectrogramBins else { return nil }
        if center == low {
            output[center * melBins + i] = 1
        } else if center > low {
            for j in low...center { output[j * melBins + i] = Double(j - low) / Double(center - low) }
        }
        if high > center {
            for j in center..<high { output[j * melBins + i] = Double(high - j) / Double(high - center) }
        }
    }
    return output
}
