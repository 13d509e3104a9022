import InferRuntime
import Testing

/// `TensorComparison`, which `swiftc-infer check` reports mismatches with.
@Suite struct TensorComparisonTests {
    @Test func int64ComparesExactlyBeyondDoublePrecision() {
        let big: Int64 = 1 << 53
        // big and big + 1 are the same Double; they must still differ.
        let c = TensorComparison(actual: Tensor(shape: [2], scalars: [Int64(7), big + 1]),
                                 expected: Tensor(shape: [2], scalars: [Int64(7), big]), rtol: 1, atol: 1)
        #expect(!c.passed)
        #expect(c.mismatches == 1)
        #expect(c.worstIndex == [1])
        #expect(c.description.contains("got 9007199254740993, expected 9007199254740992"))
        let same = TensorComparison(actual: Tensor(shape: [1], scalars: [Int64.max]), expected: Tensor(shape: [1], scalars: [Int64.max]))
        #expect(same.passed)
    }

    @Test func extremeIntegerDifferencesDoNotOverflow() {
        let c = TensorComparison(actual: Tensor(shape: [1], scalars: [Int64.max]), expected: Tensor(shape: [1], scalars: [Int64.min]))
        #expect(!c.passed)
        #expect(c.maxAbsoluteError > 1.8e19)
    }

    @Test func boolsAndSmallIntegersIgnoreTolerances() {
        #expect(!TensorComparison(actual: Tensor(shape: [2], scalars: [true, false]),
                                  expected: Tensor(shape: [2], scalars: [true, true]), rtol: 10, atol: 10).passed)
        #expect(!TensorComparison(actual: Tensor(shape: [1], scalars: [UInt8(3)]),
                                  expected: Tensor(shape: [1], scalars: [UInt8(4)]), rtol: 10, atol: 10).passed)
    }

    @Test func floatsUseTolerancesAndReportTheWorstElement() {
        let expected = Tensor(shape: [2, 2], scalars: [Float(1), 2, 3, 4])
        #expect(TensorComparison(actual: Tensor(shape: [2, 2], scalars: [Float(1.0005), 2, 3, 4]), expected: expected,
                                 rtol: 1e-3, atol: 1e-7).passed)
        let c = TensorComparison(actual: Tensor(shape: [2, 2], scalars: [Float(1), 2, 3.5, 4]), expected: expected, rtol: 1e-3, atol: 1e-7)
        #expect(!c.passed)
        #expect(c.worstIndex == [1, 0])
        #expect(c.description.contains("1 of 4 element out of tolerance, worst at [1, 0]"))
        let shape = TensorComparison(actual: Tensor(shape: [4], scalars: [Float(1), 2, 3, 4]), expected: expected)
        #expect(!shape.passed && shape.description == "shape [4] vs expected [2, 2]")
    }
}
