import Foundation
import Testing
@testable import InferKernels
import CInferSIMD

/// The vectorized GEMM epilogue against a scalar reference: every activation with a SIMD path and
/// one through the generic path, both bias layouts, residual before / after the activation, run
/// lengths below, at and above the 16-float vector (the padded tail).
@Suite struct GemmEpilogueTests {
    static func reference(_ op: UnaryOp?, _ v: Float) -> Float {
        switch op {
        case nil: return v
        case .relu?: return v < 0 ? 0 : v
        case .clip(let lo, let hi)?: return min(max(v, Float(lo)), Float(hi))
        case .gelu(tanhApproximation: false)?: return 0.5 * v * (1 + erf(v / Float(2).squareRoot()))
        case .gelu(tanhApproximation: true)?: return 0.5 * v * (1 + tanh(0.7978845608 * (v + 0.044715 * v * v * v)))
        case .sigmoid?: return 1 / (1 + exp(-v))
        case .silu?: return v / (1 + exp(-v))
        case .tanh?: return tanh(v)
        case .leakyRelu(let a)?: return v < 0 ? a * v : v
        case .hardSwish?: return v * min(1, max(0, v / 6 + 0.5))
        default: fatalError("not covered")
        }
    }

    static let activations: [UnaryOp?] = [nil, .relu, .clip(low: 0, high: 6), .gelu(tanhApproximation: false),
                                          .gelu(tanhApproximation: true), .sigmoid, .silu, .tanh, .leakyRelu(alpha: 0.1),
                                          .hardSwish]

    /// Sigmoid and SiLU with one bias per run and no residual take CInferSIMD's kernel (AVX-512
    /// or AVX2) where the CPU has it: every case runs at every level the CPU has, down to the
    /// Swift fallback.
    @Test(arguments: activations, [1, 7, 8, 15, 16, 33, 64])
    func matchesScalarReference(activation: UnaryOp?, runLength: Int) {
        for level in SIMDKernels.testedLevels {
            SIMDKernels.capped(at: level) { check(activation, runLength, level.name) }
        }
    }

    func check(_ activation: UnaryOp?, _ runLength: Int, _ path: String) {
        let runs = 3
        let count = runs * runLength
        let y0 = (0..<count).map { Float(($0 * 37) % 101) / 12 - 4 }
        let residual = (0..<count).map { Float(($0 * 11) % 13) / 7 - 1 }
        let columnBias = (0..<runLength).map { Float($0 % 5) * 0.3 - 0.6 }
        let planeBias: [Float] = [0.5, -1.25, 2]
        for (layout, biasAt) in [("none", { (_: Int, _: Int) -> Float in 0 }),
                                 ("plane", { (r: Int, _: Int) -> Float in planeBias[r] }),
                                 ("column", { (_: Int, j: Int) -> Float in columnBias[j] })] {
            for useResidual in [false, true] {
                for before in [false, true] {
                    var y = y0
                    columnBias.withUnsafeBufferPointer { cb in
                        planeBias.withUnsafeBufferPointer { pb in
                            residual.withUnsafeBufferPointer { r in
                                let bias: GemmEpilogue.BiasLayout = layout == "none" ? .none
                                    : layout == "plane" ? .perPlane(pb.baseAddress!, channels: 3) : .perColumn(cb.baseAddress!)
                                let tail = GemmEpilogue.Tail(activation: activation, residual: useResidual ? r.baseAddress! : nil,
                                                             residualBeforeActivation: before)
                                GemmEpilogue.apply(output: &y, runs: runs, runLength: runLength, bias: bias, tail: tail)
                            }
                        }
                    }
                    for i in 0..<count {
                        let (run, j) = (i / runLength, i % runLength)
                        let early = useResidual && (before || activation == nil)
                        var v = y0[i] + biasAt(run, j) + (early ? residual[i] : 0)
                        v = Self.reference(activation, v)
                        if useResidual && !early { v += residual[i] }
                        let ok = abs(y[i] - v) <= 2e-5 * max(1, abs(v))
                        #expect(ok, "\(String(describing: activation)) \(layout) residual \(useResidual) before \(before) \(path) [\(i)]: \(y[i]) vs \(v)")
                        if !ok { return }
                    }
                }
            }
        }
    }

    /// CInferSIMD's sigmoid/SiLU (each level the CPU has) against VectorMath's (the Swift path
    /// and the unfused ops) over the float range: the same algorithm, so within a few ulps; the
    /// same special values exactly.
    @Test(.enabled(if: SIMDKernels.cpuLevel > .baseline, "needs AVX2+FMA or AVX-512 (elsewhere only the Swift path exists, tested above)"),
          arguments: SIMDKernels.testedLevels.filter { $0 > .baseline })
    func simdSigmoidMatchesVectorMath(level: SIMDKernels.Level) {
        var x: [Float] = [0, -0, 1, -1, 20, -20, 87, -87, 88.7, -88.7, 89, -89, 100, -100, 1e-30, -1e-30,
                          .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        x += (0..<20_000).map { Float($0) / 100 - 100 }
        for silu in [false, true] {
            var y = x
            let run = level == .avx512 ? cinfer_sigmoid_run_avx512 : cinfer_sigmoid_run_avx2
            y.withUnsafeMutableBufferPointer { run($0.baseAddress!, x.count, 0, silu ? 1 : 0) }
            var worst: Float = 0
            for (i, v) in x.enumerated() {
                let want = VectorMath.scalar(v) { silu ? $0 * VectorMath.sigmoid($0) : VectorMath.sigmoid($0) }
                if want.isNaN || y[i].isNaN {
                    #expect(want.isNaN && y[i].isNaN, "silu \(silu) x \(v): \(y[i]) vs \(want)")
                } else if want.isInfinite || want == 0 {
                    #expect(y[i] == want, "silu \(silu) x \(v): \(y[i]) vs \(want)")
                } else {
                    worst = max(worst, abs(y[i] - want) / (abs(want) * Float.ulpOfOne))
                }
            }
            #expect(worst <= 4, "\(level.name) silu \(silu): \(worst) ulps from VectorMath")
        }
    }

    @Test func nanPassesThroughReluAndClip() {
        for op: UnaryOp in [.relu, .clip(low: 0, high: 6)] {
            var y: [Float] = Array(repeating: 1, count: 20)
            y[3] = .nan; y[18] = .nan
            GemmEpilogue.apply(output: &y, runs: 1, runLength: 20, bias: .none, tail: GemmEpilogue.Tail(activation: op))
            #expect(y[3].isNaN && y[18].isNaN && y[0] == 1)
        }
    }
}
