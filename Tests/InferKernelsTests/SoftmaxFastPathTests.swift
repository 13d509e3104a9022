import Foundation
import Testing
@testable import InferKernels

/// The vectorized Float softmax rows (last axis) against a Double reference, on row lengths
/// around the 8- and 16-float vectors, in place and out of place, with -inf masks and +inf / NaN
/// rows, at every SIMD level this CPU runs (CInferSIMD's AVX-512 and AVX2 rows, the Swift one).
@Suite struct SoftmaxFastPathTests {
    static let levels = SIMDKernels.Level.allCases.filter { $0 <= SIMDKernels.cpuLevel }
    static let cases = levels.flatMap { level in [1, 5, 8, 9, 16, 17, 32, 33, 128, 130].map { (level, $0) } }

    static func reference(_ row: [Float]) -> [Float] {
        let m = row.max()!
        let e = row.map { Foundation.exp(Double($0) - Double(m)) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }

    @Test(arguments: cases)
    func rowsMatchReference(level: SIMDKernels.Level, n: Int) {
        SIMDKernels.capped(at: level) { rowsMatchReference(n: n, level: level) }
    }

    func rowsMatchReference(n: Int, level: SIMDKernels.Level) {
        let outer = 3
        var x = (0..<outer * n).map { Float(($0 * 37) % 101) / 9 - 5 }
        if n > 2 { x[1] = -.infinity }  // a masked entry
        var y = [Float](repeating: .nan, count: x.count)
        SoftmaxKernel.softmax(x, outer: outer, n: n, inner: 1, logarithmic: false, into: &y)
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { p in
            SoftmaxKernel.softmax(UnsafePointer(p.baseAddress!), outer: outer, n: n, inner: 1, logarithmic: false, into: p.baseAddress!)
        }
        for o in 0..<outer {
            let expected = Self.reference(Array(x[(o * n)..<((o + 1) * n)]))
            for j in 0..<n {
                #expect(abs(y[o * n + j] - expected[j]) <= 1e-6 + 1e-5 * expected[j], "\(level) n \(n) [\(o), \(j)]: \(y[o * n + j]) vs \(expected[j])")
                #expect(inPlace[o * n + j] == y[o * n + j], "\(level): in place differs")
            }
        }
    }

    @Test(arguments: levels)
    func nonFiniteRows(level: SIMDKernels.Level) {
        SIMDKernels.capped(at: level) { nonFiniteRows(n: 20) }
    }

    func nonFiniteRows(n: Int) {
        var x = [Float](repeating: -.infinity, count: 3 * n)  // row 0: all -inf -> NaN
        for j in 0..<n { x[n + j] = Float(j) }
        x[n + 4] = .infinity; x[n + 9] = .infinity            // row 1: two +inf share the mass
        for j in 0..<n { x[2 * n + j] = 0 }
        x[2 * n + 17] = .nan                                  // row 2: NaN poisons the row
        var y = [Float](repeating: 0, count: x.count)
        SoftmaxKernel.softmax(x, outer: 3, n: n, inner: 1, logarithmic: false, into: &y)
        #expect(y[0..<n].allSatisfy { $0.isNaN })
        #expect(y[n + 4] == 0.5 && y[n + 9] == 0.5 && y[n] == 0)
        #expect(y[(2 * n)..<(3 * n)].allSatisfy { $0.isNaN })
    }
}
