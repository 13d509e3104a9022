/// ONNX CausalConvWithState (opset 27): per (batch, channel) row, the padded sequence
/// `p = past (k - 1 values, zeros when absent) ++ x (length L)` is convolved with the channel's
/// `k` taps (valid padding, so the output has length L), plus bias, optionally followed by SiLU;
/// present_state is the last `k - 1` values of `p`.
package enum CausalConvolutionKernel {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func run<T: ElementFloat>(input: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
                                             past: UnsafePointer<T>?, output: UnsafeMutablePointer<T>,
                                             present: UnsafeMutablePointer<T>, batch: Int, channels: Int, length: Int,
                                             kernelSize: Int, silu: Bool, threads: Int) {
        let carry = kernelSize - 1
        ParallelFor.forEach(batch * channels, work: batch * channels * length * kernelSize, threads: threads) { plane in
            let c = plane % channels
            let x = input + plane * length, y = output + plane * length
            let w = weight + c * kernelSize
            let p = past.map { $0 + plane * carry }
            y.update(repeating: bias?[c] ?? 0, count: length)
            // Tap j reads p[t + j]: positions t < carry - j come from past, the rest from x.
            for j in 0..<kernelSize {
                let wj = w[j]
                let fromPast = min(max(carry - j, 0), length)
                if let p { for t in 0..<fromPast { y[t] += wj * p[t + j] } }
                let shift = j - carry
                for t in fromPast..<length { y[t] += wj * x[t + shift] }
            }
            if silu { for t in 0..<length { y[t] = y[t] / (1 + T.exp(-y[t])) } }
            // present[i] = p[length + i]: from x when length + i >= carry, else from past (or zero).
            let state = present + plane * carry
            for i in 0..<carry {
                let position = length + i
                state[i] = position >= carry ? x[position - carry] : (p?[position] ?? 0)
            }
        }
    }
}
