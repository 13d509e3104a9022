import InferIR
import InferRuntime
import Testing

/// `TensorComparison`, which `swiftc-infer check` reports mismatches with.
@Suite struct TensorComparisonTests {
    @Test func int64ComparesExactlyBeyondDoublePrecision() {
        let big: Int64 = 1 << 53
        // big and big + 1 are the same Double; they must still differ.
        let c = TensorComparison(actual: Tensor(shape: [2], exactly: [Int64(7), big + 1]),
                                 expected: Tensor(shape: [2], exactly: [Int64(7), big]), rtol: 1, atol: 1)
        #expect(!c.passed)
        #expect(c.mismatches == 1)
        #expect(c.worstIndex == [1])
        #expect(c.description.contains("got 9007199254740993, expected 9007199254740992"))
        let same = TensorComparison(actual: Tensor(shape: [1], exactly: [Int64.max]), expected: Tensor(shape: [1], exactly: [Int64.max]))
        #expect(same.passed)
    }

    @Test func extremeIntegerDifferencesDoNotOverflow() throws {
        let c = TensorComparison(actual: Tensor(shape: [1], exactly: [Int64.max]), expected: Tensor(shape: [1], exactly: [Int64.min]))
        #expect(!c.passed)
        #expect(c.maxAbsoluteError > 1.8e19)
    }

    @Test func boolsAndSmallIntegersIgnoreTolerances() throws {
        #expect(try !TensorComparison(actual: Tensor(shape: [2], scalars: [true, false]),
                                  expected: Tensor(shape: [2], scalars: [true, true]), rtol: 10, atol: 10).passed)
        #expect(try !TensorComparison(actual: Tensor(shape: [1], scalars: [UInt8(3)]),
                                  expected: Tensor(shape: [1], scalars: [UInt8(4)]), rtol: 10, atol: 10).passed)
    }

    @Test func floatsUseTolerancesAndReportTheWorstElement() throws {
        let expected = Tensor(shape: [2, 2], exactly: [Float(1), 2, 3, 4])
        #expect(try TensorComparison(actual: Tensor(shape: [2, 2], scalars: [Float(1.0005), 2, 3, 4]), expected: expected,
                                 rtol: 1e-3, atol: 1e-7).passed)
        let c = TensorComparison(actual: Tensor(shape: [2, 2], exactly: [Float(1), 2, 3.5, 4]), expected: expected, rtol: 1e-3, atol: 1e-7)
        #expect(!c.passed)
        #expect(c.worstIndex == [1, 0])
        #expect(c.description.contains("1 of 4 element out of tolerance, worst at [1, 0]"))
        let shape = TensorComparison(actual: Tensor(shape: [4], exactly: [Float(1), 2, 3, 4]), expected: expected)
        #expect(!shape.passed && shape.description == "shape [4] vs expected [2, 2]")
    }
}
