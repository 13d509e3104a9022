import Foundation

/// A discrete Fourier transform of length `length` along the middle axis of complex data laid
/// out [outer, axis, inner, 2] (interleaved real, imaginary), computed directly in Double
/// (O(n^2) per line with a twiddle table: the ONNX cases are small and accuracy matters more).
///
/// - forward: `out[k] = sum_t in[t] e^{-2 pi i k t / n}` for `k < outLength` (n or n/2+1 when one-sided);
///   the input line is truncated or zero padded to n.
/// - inverse: `out[t] = 1/n sum_k in[k] e^{+2 pi i k t / n}`.
/// - inverse one-sided (irfft): the input holds bins 0...n/2 of a Hermitian spectrum; the output
///   is the real signal (`outComponents` 1), imaginary parts of the DC and Nyquist bins ignored.
package struct DFTPlan: Sendable {
    package var outer, inLength, inner, length, outLength: Int
    package var inverse, halfSpectrumInput: Bool
    package init(outer: Int, inLength: Int, inner: Int, length: Int, outLength: Int, inverse: Bool, halfSpectrumInput: Bool) {
        self.outer = outer; self.inLength = inLength; self.inner = inner; self.length = length
        self.outLength = outLength; self.inverse = inverse; self.halfSpectrumInput = halfSpectrumInput
    }
    /// 1 for the real output of an inverse one-sided transform, else 2.
    package var outComponents: Int { inverse && halfSpectrumInput ? 1 : 2 }
}

package func discreteFourierTransform(_ plan: DFTPlan, input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>) {
    let n = plan.length
    guard n > 0 else { return }
    let sign = plan.inverse ? 1.0 : -1.0
    let cosTable = (0..<n).map { Foundation.cos(2 * Double.pi * Double($0) / Double(n)) }
    let sinTable = (0..<n).map { sign * Foundation.sin(2 * Double.pi * Double($0) / Double(n)) }
    let scale = plan.inverse ? 1 / Double(n) : 1
    let oc = plan.outComponents
    if plan.inverse && plan.halfSpectrumInput {
        // Bins used: 0 ... n/2 (what the input holds of them).
        let bins = min(plan.inLength, n / 2 + 1)
        for o in 0..<plan.outer {
            for i in 0..<plan.inner {
                func re(_ k: Int) -> Double { input[((o * plan.inLength + k) * plan.inner + i) * 2] }
                func im(_ k: Int) -> Double { input[((o * plan.inLength + k) * plan.inner + i) * 2 + 1] }
                for t in 0..<plan.outLength {
                    var sum = bins > 0 ? re(0) : 0
                    for k in stride(from: 1, to: bins, by: 1) {
                        let j = (k * t) % n
                        // Re(X e^{i theta}) counted twice for its conjugate mirror, once for Nyquist.
                        let term = re(k) * cosTable[j] - im(k) * sinTable[j]
                        sum += (2 * k == n) ? re(k) * cosTable[j] : 2 * term
                    }
                    output[(o * plan.outLength + t) * plan.inner + i] = sum * scale
                }
            }
        }
        return
    }
    let used = min(plan.inLength, n)
    for o in 0..<plan.outer {
        for i in 0..<plan.inner {
            for k in 0..<plan.outLength {
                var sumRe = 0.0, sumIm = 0.0
                for t in 0..<used {
                    let base = ((o * plan.inLength + t) * plan.inner + i) * 2
                    let xr = input[base], xi = input[base + 1]
                    let j = (k * t) % n
                    let c = cosTable[j], s = sinTable[j]
                    sumRe += xr * c - xi * s
                    sumIm += xr * s + xi * c
                }
                let out = ((o * plan.outLength + k) * plan.inner + i) * oc
                output[out] = sumRe * scale
                output[out + 1] = sumIm * scale
            }
        }
    }
}
