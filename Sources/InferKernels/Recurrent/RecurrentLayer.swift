/// Element types of the recurrent kernels: the libm functions plus a BLAS GEMM.
package protocol RecurrentFloat: ElementFloat {
    static func gemm(transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int, threads: Int)
}

extension Float: RecurrentFloat {
    package static func gemm(transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        BLAS.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
                  beta: beta, c: c, ldc: ldc, threads: threads)
    }
}

extension Double: RecurrentFloat {
    package static func gemm(transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
                             b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int) {
        BLAS.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
                  beta: beta, c: c, ldc: ldc, threads: threads)
    }
}

/// Which recurrent cell, with its cell-specific options.
package enum RecurrentCell: Sendable, Equatable {
    case rnn
    case gru(linearBeforeReset: Bool)
    case lstm(inputForget: Bool)

    /// Gate blocks in W/R (RNN 1; GRU z, r, h; LSTM i, o, f, c).
    package var gates: Int {
        switch self {
        case .rnn: 1
        case .gru: 3
        case .lstm: 4
        }
    }

    /// Activation functions per direction (RNN f; GRU f, g; LSTM f, g, h).
    package var activationsPerDirection: Int { gates == 1 ? 1 : gates - 1 }
}

/// Sizes of one recurrent layer; `batchMajor` is ONNX `layout` = 1.
package struct RecurrentGeometry: Sendable {
    package var sequence: Int, batch: Int, input: Int, hidden: Int, directions: Int, batchMajor: Bool

    package init(sequence: Int, batch: Int, input: Int, hidden: Int, directions: Int, batchMajor: Bool) {
        self.sequence = sequence
        self.batch = batch
        self.input = input
        self.hidden = hidden
        self.directions = directions
        self.batchMajor = batchMajor
    }

    /// Element offset of state row (direction d, batch b) in initial_h / Y_h / Y_c.
    @inline(__always) func stateOffset(_ d: Int, _ b: Int) -> Int {
        (batchMajor ? b * directions + d : d * batch + b) * hidden
    }

    /// Element offset of Y's row (time t, direction d, batch b).
    @inline(__always) func outputOffset(_ t: Int, _ d: Int, _ b: Int) -> Int {
        (batchMajor ? (b * sequence + t) * directions + d : (t * directions + d) * batch + b) * hidden
    }

    /// Row of X (and of the precomputed input projection) for time t, batch b.
    @inline(__always) func inputRow(_ t: Int, _ b: Int) -> Int { batchMajor ? b * sequence + t : t * batch + b }
}

/// A one-layer RNN/GRU/LSTM over a whole sequence: the input projections of every timestep
/// in one GEMM per direction, then one GEMM per step for the recurrence (a GEMV at batch 1).
package enum RecurrentLayer {
    /// Pointers hold every direction: w [dirs, G*H, input], r [dirs, G*H, H], bias [dirs, 2*G*H],
    /// peephole [dirs, 3H] (LSTM i, o, f), initial states and outputs in `geometry`'s layout.
    /// `sequenceLengths` (one per batch entry, each in 0...sequence) or nil for all full length.
    /// `activations` holds `cell.activationsPerDirection` entries per direction.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func run<T: RecurrentFloat>(
        cell: RecurrentCell, geometry g: RecurrentGeometry, reverse: Bool,
        x: UnsafePointer<T>, w: UnsafePointer<T>, r: UnsafePointer<T>,
        bias: UnsafePointer<T>?, peephole: UnsafePointer<T>?, sequenceLengths: [Int]?,
        initialH: UnsafePointer<T>?, initialC: UnsafePointer<T>?,
        activations: [RecurrentActivation], clip: T?,
        y: UnsafeMutablePointer<T>?, yH: UnsafeMutablePointer<T>?, yC: UnsafeMutablePointer<T>?, threads: Int = 1
    ) {
        let S = g.sequence, B = g.batch, I = g.input, H = g.hidden, G = cell.gates, GH = G * H
        guard B > 0, H > 0 else { return }
        let projected = UnsafeMutablePointer<T>.allocate(capacity: max(S * B * GH, 1))
        let gates = UnsafeMutablePointer<T>.allocate(capacity: B * GH)
        let state = UnsafeMutablePointer<T>.allocate(capacity: B * H)
        let cellState = UnsafeMutablePointer<T>.allocate(capacity: B * H)
        let scratch = UnsafeMutablePointer<T>.allocate(capacity: 2 * B * H)
        let rowBias = UnsafeMutablePointer<T>.allocate(capacity: GH + H)
        defer {
            projected.deallocate(); gates.deallocate(); state.deallocate()
            cellState.deallocate(); scratch.deallocate(); rowBias.deallocate()
        }
        let lengths = sequenceLengths ?? [Int](repeating: S, count: B)
        let perDirection = cell.activationsPerDirection

        for d in 0..<g.directions {
            let backward = g.directions == 2 ? d == 1 : reverse
            let wd = w + d * GH * I, rd = r + d * GH * H
            let acts = Array(activations[(d * perDirection)..<((d + 1) * perDirection)])
            // All timesteps' X * W^T at once.
            if S * B > 0 {
                T.gemm(transB: true, m: S * B, n: GH, k: I, a: x, lda: I, b: wd, ldb: I, beta: 0, c: projected, ldc: GH, threads: threads)
            }
            // Wb + Rb, except GRU's linear-before-reset h gate whose Rbh is applied inside r * (...).
            let recurrentHBias = rowBias + GH
            for j in 0..<(GH + H) { rowBias[j] = 0 }
            if let bias {
                let bd = bias + d * 2 * GH
                for j in 0..<GH { rowBias[j] = bd[j] + bd[GH + j] }
                if case .gru(true) = cell {
                    for j in 0..<H { rowBias[2 * H + j] = bd[2 * H + j]; recurrentHBias[j] = bd[GH + 2 * H + j] }
                }
            }
            for b in 0..<B {
                let o = g.stateOffset(d, b)
                for j in 0..<H {
                    state[b * H + j] = initialH?[o + j] ?? 0
                    cellState[b * H + j] = initialC?[o + j] ?? 0
                }
            }
            let pd = peephole.map { $0 + d * 3 * H }

            for step in 0..<S {
                for b in 0..<B {
                    let row = gates + b * GH
                    guard step < lengths[b] else {
                        for j in 0..<GH { row[j] = 0 }
                        continue
                    }
                    let t = backward ? lengths[b] - 1 - step : step
                    let src = projected + g.inputRow(t, b) * GH
                    for j in 0..<GH { row[j] = src[j] + rowBias[j] }
                }
                switch cell {
                case .rnn:
                    T.gemm(transB: true, m: B, n: H, k: H, a: state, lda: H, b: rd, ldb: H, beta: 1, c: gates, ldc: GH, threads: threads)
                    for b in 0..<B where step < lengths[b] {
                        let row = gates + b * H
                        clamp(row, H, clip)
                        acts[0].apply(row, H)
                        (state + b * H).update(from: row, count: H)
                    }
                case .gru(let linearBeforeReset):
                    // z and r gates see H * R[z,r]^T; the h gate needs r first.
                    T.gemm(transB: true, m: B, n: 2 * H, k: H, a: state, lda: H, b: rd, ldb: H, beta: 1, c: gates, ldc: GH, threads: threads)
                    for b in 0..<B {
                        let row = gates + b * GH
                        clamp(row, 2 * H, clip)
                        acts[0].apply(row, 2 * H)
                    }
                    let hidden = scratch, product = scratch + B * H
                    if linearBeforeReset {
                        T.gemm(transB: true, m: B, n: H, k: H, a: state, lda: H, b: rd + 2 * H * H, ldb: H, beta: 0, c: product, ldc: H, threads: threads)
                        for b in 0..<B {
                            let row = gates + b * GH, p = product + b * H
                            for j in 0..<H { row[2 * H + j] += row[H + j] * (p[j] + recurrentHBias[j]) }
                        }
                    } else {
                        for b in 0..<B {
                            let row = gates + b * GH
                            for j in 0..<H { hidden[b * H + j] = row[H + j] * state[b * H + j] }
                        }
                        T.gemm(transB: true, m: B, n: H, k: H, a: hidden, lda: H, b: rd + 2 * H * H, ldb: H, beta: 0, c: product, ldc: H, threads: threads)
                        for b in 0..<B {
                            let row = gates + b * GH, p = product + b * H
                            for j in 0..<H { row[2 * H + j] += p[j] }
                        }
                    }
                    for b in 0..<B where step < lengths[b] {
                        let row = gates + b * GH, h = row + 2 * H, s = state + b * H
                        clamp(h, H, clip)
                        acts[1].apply(h, H)
                        for j in 0..<H { let z = row[j]; s[j] = (1 - z) * h[j] + z * s[j] }
                    }
                case .lstm(let inputForget):
                    T.gemm(transB: true, m: B, n: GH, k: H, a: state, lda: H, b: rd, ldb: H, beta: 1, c: gates, ldc: GH, threads: threads)
                    for b in 0..<B where step < lengths[b] {
                        let row = gates + b * GH, c = cellState + b * H, s = state + b * H
                        let i = row, o = row + H, f = row + 2 * H, candidate = row + 3 * H
                        if let pd { for j in 0..<H { i[j] += pd[j] * c[j]; f[j] += pd[2 * H + j] * c[j] } }
                        clamp(i, H, clip)
                        acts[0].apply(i, H)
                        if inputForget {
                            for j in 0..<H { f[j] = 1 - i[j] }
                        } else {
                            clamp(f, H, clip)
                            acts[0].apply(f, H)
                        }
                        clamp(candidate, H, clip)
                        acts[1].apply(candidate, H)
                        for j in 0..<H { c[j] = f[j] * c[j] + i[j] * candidate[j] }
                        if let pd { for j in 0..<H { o[j] += pd[H + j] * c[j] } }
                        clamp(o, H, clip)
                        acts[0].apply(o, H)
                        // h(C) into the candidate row (no longer needed), then H = o * h(C).
                        candidate.update(from: c, count: H)
                        acts[2].apply(candidate, H)
                        for j in 0..<H { s[j] = o[j] * candidate[j] }
                    }
                }
                if let y {
                    for b in 0..<B where step < lengths[b] {
                        let t = backward ? lengths[b] - 1 - step : step
                        (y + g.outputOffset(t, d, b)).update(from: state + b * H, count: H)
                    }
                }
            }
            for b in 0..<B {
                let o = g.stateOffset(d, b)
                yH?.advanced(by: o).update(from: state + b * H, count: H)
                yC?.advanced(by: o).update(from: cellState + b * H, count: H)
            }
        }
    }

    @inline(__always)
    static func clamp<T: RecurrentFloat>(_ p: UnsafeMutablePointer<T>, _ n: Int, _ clip: T?) {
        guard let clip else { return }
        for j in 0..<n { p[j] = min(max(p[j], -clip), clip) }
    }
}
