import Foundation
import InferIR

/// How far an actual tensor is from an expected one, elementwise:
/// a value passes when `|a - e| <= atol + rtol * |e|` (NaN matches NaN, infinities must be equal).
///
/// ```swift
/// let comparison = TensorComparison(actual: y, expected: reference, rtol: 1e-4, atol: 1e-5)
/// print(comparison.passed ? "PASS" : "FAIL \(comparison)")
/// ```
public struct TensorComparison: Sendable, CustomStringConvertible {
    public let shapeMatches: Bool
    public let dtypeMatches: Bool
    public let maxAbsoluteError: Double
    public let maxRelativeError: Double
    /// Multi-index and values of the worst element (by tolerance violation), when shapes match.
    public let worstIndex: [Int]?
    public let worstActual: Double?
    public let worstExpected: Double?
    public let mismatches: Int
    public let actualShape: [Int]
    public let expectedShape: [Int]

    public var passed: Bool { shapeMatches && dtypeMatches && mismatches == 0 }

    public init(actual: Tensor, expected: Tensor, rtol: Double = 1e-3, atol: Double = 1e-5) {
        actualShape = actual.shape
        expectedShape = expected.shape
        shapeMatches = actual.shape == expected.shape
        dtypeMatches = actual.dtype == expected.dtype
        guard shapeMatches else {
            maxAbsoluteError = .infinity; maxRelativeError = .infinity
            worstIndex = nil; worstActual = nil; worstExpected = nil; mismatches = expected.count
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
            var index: [Int] = []
            var rest = worst
            for d in actual.shape.reversed() { index.append(d == 0 ? 0 : rest % d); rest = d == 0 ? 0 : rest / d }
            worstIndex = index.reversed()
            worstActual = a[worst]
            worstExpected = e[worst]
        } else {
            worstIndex = nil; worstActual = nil; worstExpected = nil
        }
    }

    public var description: String {
        if !shapeMatches { return "shape \(actualShape) vs expected \(expectedShape)" }
        var text = "max abs err \(format(maxAbsoluteError)), max rel err \(format(maxRelativeError))"
        if !dtypeMatches { text = "dtype differs; " + text }
        if mismatches > 0, let idx = worstIndex, let a = worstActual, let e = worstExpected {
            text += "; \(mismatches) element\(mismatches == 1 ? "" : "s") out of tolerance, worst at \(idx): got \(a), expected \(e)"
        }
        return text
    }

    private func format(_ v: Double) -> String {
        v.isFinite ? String(format: "%.3g", v) : String(v)
    }
}
