import Foundation
import InferIR

/// How far an actual tensor is from an expected one, elementwise:
/// a value passes when `|a - e| <= atol + rtol * |e|` (NaN matches NaN, infinities must be equal).
///
/// ```swift
/// let comparison = TensorComparison(actual: y, expected: reference, rtol: 1e-4, atol: 1e-5)
/// print(comparison.passed ? "PASS" : "FAIL \(comparison)")
/// ```
package struct TensorComparison: Sendable, CustomStringConvertible {
    package let shapeMatches: Bool
    package let dtypeMatches: Bool
    package let maxAbsoluteError: Double
    package let maxRelativeError: Double
    /// Multi-index and values of the worst element (by tolerance violation), when shapes match.
    package let worstIndex: [Int]?
    package let worstActual: Double?
    package let worstExpected: Double?
    package let mismatches: Int
    package let actualShape: [Int]
    package let expectedShape: [Int]
    /// The worst element's actual and expected values, printed exactly (int64 beyond 2^53 included).
    private let worstText: (actual: String, expected: String)?

    package var passed: Bool { shapeMatches && dtypeMatches && mismatches == 0 }

    package init(actual: Tensor, expected: Tensor, rtol: Double = 1e-3, atol: Double = 1e-5) {
        actualShape = actual.shape
        expectedShape = expected.shape
        shapeMatches = actual.shape == expected.shape
        dtypeMatches = actual.dtype == expected.dtype
        guard shapeMatches else {
            maxAbsoluteError = .infinity; maxRelativeError = .infinity
            worstIndex = nil; worstActual = nil; worstExpected = nil; worstText = nil; mismatches = expected.count
            return
        }
        if !actual.dtype.isFloatingPoint && !expected.dtype.isFloatingPoint {
            // Integers and booleans must match exactly; Double would round int64 values beyond 2^53.
            let a = actual.intValues(), e = expected.intValues()
            var maxAbs = 0.0, maxRel = 0.0, bad = 0, worst = -1, worstDiff = -1.0
            for i in a.indices where a[i] != e[i] {
                bad += 1
                let diff = a[i] > e[i] ? Double(UInt(bitPattern: a[i] &- e[i])) : Double(UInt(bitPattern: e[i] &- a[i]))
                maxAbs = max(maxAbs, diff)
                maxRel = e[i] != 0 ? max(maxRel, diff / abs(Double(e[i]))) : .infinity
                if diff > worstDiff { worstDiff = diff; worst = i }
            }
            maxAbsoluteError = maxAbs
            maxRelativeError = maxRel
            mismatches = bad
            worstIndex = worst >= 0 ? Self.multiIndex(worst, shape: actual.shape) : nil
            worstActual = worst >= 0 ? Double(a[worst]) : nil
            worstExpected = worst >= 0 ? Double(e[worst]) : nil
            worstText = worst >= 0 ? ("\(a[worst])", "\(e[worst])") : nil
            return
        }
        let a = actual.doubleValues(), e = expected.doubleValues()
        var maxAbs = 0.0, maxRel = 0.0, bad = 0, worst = -1, worstExcess = -Double.infinity
        for i in a.indices {
            let x = a[i], y = e[i]
            if x.isNaN && y.isNaN { continue }
            if x.isInfinite || y.isInfinite {
                if x != y { bad += 1; if worstExcess < .infinity { worstExcess = .infinity; worst = i }; maxAbs = .infinity }
                continue
            }
            let diff = abs(x - y)
            if diff.isNaN { bad += 1; worst = i; worstExcess = .infinity; maxAbs = .nan; continue }
            maxAbs = max(maxAbs, diff)
            if y != 0 { maxRel = max(maxRel, diff / abs(y)) } else if diff > 0 { maxRel = .infinity }
            let excess = diff - (atol + rtol * abs(y))
            if excess > 0 { bad += 1 }
            if excess > worstExcess { worstExcess = excess; worst = i }
        }
        maxAbsoluteError = maxAbs
        maxRelativeError = maxRel
        mismatches = bad
        if worst >= 0 {
            worstIndex = Self.multiIndex(worst, shape: actual.shape)
            worstActual = a[worst]
            worstExpected = e[worst]
            worstText = ("\(a[worst])", "\(e[worst])")
        } else {
            worstIndex = nil; worstActual = nil; worstExpected = nil; worstText = nil
        }
    }

    /// The multi-index of flat (row-major) position `flat` in `shape`.
    private static func multiIndex(_ flat: Int, shape: [Int]) -> [Int] {
        var index: [Int] = []
        var rest = flat
        for d in shape.reversed() { index.append(d == 0 ? 0 : rest % d); rest = d == 0 ? 0 : rest / d }
        return index.reversed()
    }

    package var description: String {
        if !shapeMatches { return "shape \(actualShape) vs expected \(expectedShape)" }
        var text = "max abs err \(format(maxAbsoluteError)), max rel err \(format(maxRelativeError))"
        if !dtypeMatches { text = "dtype differs; " + text }
        if mismatches > 0, let idx = worstIndex, let (a, e) = worstText {
            text += "; \(mismatches) of \(expectedShape.reduce(1, *)) element\(mismatches == 1 ? "" : "s") out of tolerance, worst at \(idx): got \(a), expected \(e)"
        }
        return text
    }

    private func format(_ v: Double) -> String {
        v.isFinite ? String(format: "%.3g", v) : String(v)
    }
}
