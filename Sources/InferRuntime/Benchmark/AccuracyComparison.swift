import Foundation
import InferIR

/// How far a model's outputs are from a reference run on the same inputs (a reduced-precision
/// plan against its fp32 model): per float output, the max and mean absolute error, the max error
/// over the reference's largest magnitude, and for classifier-like outputs (`[rows, classes]`,
/// classes > 1) the share of rows whose arg-max agrees.
///
/// ```swift
/// let accuracy = AccuracyComparison(outputs: try bf16.run(feeds), reference: try fp32.run(feeds))
/// for line in accuracy.lines { print(line) }
/// ```
package struct AccuracyComparison: Sendable {
    package struct Output: Sendable {
        package let name: String
        package let maxAbsoluteError: Double
        package let meanAbsoluteError: Double
        /// maxAbsoluteError / the reference's largest |value| (infinity when that is 0 and the error is not).
        package let scaledError: Double
        /// Rows whose arg-max agrees, and rows compared; nil when the output is not [rows, classes].
        package let top1: (agreeing: Int, rows: Int)?
    }

    package let outputs: [Output]
    /// Outputs that could not be compared, with why (missing, other dtype or shape).
    package let problems: [String]

    package init(outputs actual: [String: Tensor], reference: [String: Tensor]) {
        var compared: [Output] = [], problems: [String] = []
        for (name, want) in reference.sorted(by: { $0.key < $1.key }) {
            guard let got = actual[name] else { problems.append("output \"\(name)\" not produced"); continue }
            guard got.shape == want.shape, got.dtype == want.dtype, want.dtype.isFloatingPoint else {
                problems.append("output \"\(name)\": \(got.dtype)\(got.shape) vs reference \(want.dtype)\(want.shape)")
                continue
            }
            let g = got.doubleValues(), w = want.doubleValues()
            var maxError = 0.0, sum = 0.0, largest = 0.0
            for (x, y) in zip(g, w) {
                let e = abs(x - y)
                maxError = e.isNaN || maxError.isNaN ? .nan : max(maxError, e)
                sum += e
                largest = max(largest, abs(y))
            }
            let scaled = largest > 0 ? maxError / largest : (maxError == 0 ? 0 : .infinity)
            var top1: (Int, Int)?
            if want.rank >= 2, let classes = want.shape.last, classes > 1 {
                let rows = w.count / classes
                func argmax(_ v: [Double], _ row: Int) -> Int {
                    let slice = v[(row * classes)..<((row + 1) * classes)]
                    return slice.indices.max { slice[$0] < slice[$1] }! - row * classes
                }
                top1 = ((0..<rows).filter { argmax(g, $0) == argmax(w, $0) }.count, rows)
            }
            compared.append(Output(name: name, maxAbsoluteError: maxError, meanAbsoluteError: w.isEmpty ? 0 : sum / Double(w.count),
                                   scaledError: scaled, top1: top1))
        }
        outputs = compared
        self.problems = problems
    }

    /// One line per output: `y: max abs err 0.0132 (0.0031 of max |ref|), mean abs err 0.0011, top-1 agreement 128/128`.
    package var lines: [String] {
        outputs.map { o in
            var line = "\(o.name): max abs err \(Self.format(o.maxAbsoluteError)) (\(Self.format(o.scaledError)) of max |ref|), "
                + "mean abs err \(Self.format(o.meanAbsoluteError))"
            if let t = o.top1 { line += ", top-1 agreement \(t.agreeing)/\(t.rows)" }
            return line
        } + problems
    }

    static func format(_ x: Double) -> String { x.isFinite ? String(format: "%.3g", x) : "\(x)" }
}
