import Foundation
import Testing
@testable import InferIR
import InferKernels
@testable import InferRuntime

/// Constant weights whose row stride is a 4 KiB multiple run from a padded copy
/// (`BLAS.paddedLeadingDimension`): the copy holds the same rows, is shared between sessions,
/// and the GEMM on it gives bit-identical results; models with such weights agree with -O0.
@Suite struct PaddedWeightsTests {
    typealias Seeded = LinearFusionDifferentialTests.Seeded

    @Test func onlyFourKiBStridesArePadded() {
        #expect(BLAS.paddedLeadingDimension(1024) == 1040)
        #expect(BLAS.paddedLeadingDimension(3072) == 3088)
        #expect(BLAS.paddedLeadingDimension(768) == 768)
        #expect(BLAS.paddedLeadingDimension(512) == 512)
        #expect(BLAS.paddedLeadingDimension(0) == 0)
    }

    @Test func theCopyHoldsTheRowsAndIsShared() throws {
        var rng = Seeded(11)
        let w = rng.tensor([3, 1024])
        let padded = try #require(PaddedWeights.padded(w))
        #expect(padded.leadingDimension == 1040)
        let source = try w.scalars(as: Float.self)
        for r in 0..<3 {
            #expect(Array(UnsafeBufferPointer(start: padded.pointer + r * 1040, count: 1024)) == Array(source[r * 1024..<(r + 1) * 1024]))
        }
        #expect(PaddedWeights.padded(w) === padded, "a second session made its own copy")
        #expect(PaddedWeights.padded(rng.tensor([3, 768])) == nil)
    }

    /// The packing reads the same values whatever the stride: the products are bit-identical.
    @Test(arguments: [(8, false), (8, true), (64, true), (3, false)])
    func gemmOnThePaddedCopyIsBitIdentical(m: Int, transB: Bool) throws {
        var rng = Seeded(UInt64(m) + (transB ? 100 : 0))
        let (n, k) = transB ? (96, 1024) : (1024, 80)
        let a = rng.values(m * k), w = rng.tensor(transB ? [n, k] : [k, n])
        let padded = try #require(PaddedWeights.padded(w))
        var plain = [Float](repeating: 0, count: m * n), viaCopy = plain
        a.withUnsafeBufferPointer { ap in
            BLAS.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                      b: UnsafePointer(w.pointer(as: Float.self)), ldb: w.shape[1], beta: 0, c: &plain, ldc: n, threads: 1)
            BLAS.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                      b: padded.pointer, ldb: padded.leadingDimension, beta: 0, c: &viaCopy, ldc: n, threads: 1)
        }
        #expect(plain.map(\.bitPattern) == viaCopy.map(\.bitPattern))
        #expect(Set(plain).count > n, "the product is nearly constant")
    }

    /// Gemm with transB over a [16, 1024] weight and MatMul over a [1024, 1024] one, each with
    /// bias + Relu (so -O2 runs FusedGemm / FusedMatMul on padded copies): the same as -O0.
    @Test func fusedGemmsOnPaddedWeightsAgreeWithTheUnfusedModel() throws {
        var rng = Seeded(5)
        let inits: [String: Tensor] = ["w1": rng.tensor([1024, 1024], scale: 0.05), "b1": rng.tensor([1024]),
                                       "w2": rng.tensor([16, 1024], scale: 0.05), "b2": rng.tensor([16])]
        let x = LinearFusionDifferentialTests.float("x", [.value(6), .value(1024)])
        let y = LinearFusionDifferentialTests.float("y", [.value(6), .value(16)])
        let graph = Graph(name: "padded", inputs: [x], outputs: [y], initializers: inits, nodes: [
            Node(name: "mm", opType: "MatMul", inputs: ["x", "w1"], outputs: ["m"]),
            Node(name: "add", opType: "Add", inputs: ["m", "b1"], outputs: ["a"]),
            Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["r"]),
            Node(name: "g", opType: "Gemm", inputs: ["r", "w2", "b2"], outputs: ["g"], attributes: ["transB": .int(1)]),
            Node(name: "relu2", opType: "Relu", inputs: ["g"], outputs: ["y"]),
        ])
        let engine = try LinearFusionDifferentialTests.expectSameOutputs(Model(opsetImports: ["": 17], graph: graph))
        let fused = LinearFusionDifferentialTests.opCounts(engine)
        #expect(fused.keys.allSatisfy { $0.hasPrefix("swiftinfer.Fused") }, "\(fused)")
    }
}
