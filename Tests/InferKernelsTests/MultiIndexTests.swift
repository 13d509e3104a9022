import Testing
@testable import InferKernels

/// `MultiIndex.forEach` gives each flat position the dot product of its multi-index with the
/// strides, from any start (parallel chunks begin mid-tensor), and does nothing for an empty
/// range even when a dim is 0 (the fuzzer found a division by that zero dim through an
/// attention over an empty batch).
@Suite struct MultiIndexTests {
    @Test(arguments: [0, 1, 5, 23])
    func offsetsAreTheStridedDotProduct(start: Int) {
        let dims = [2, 3, 4], strides = [100, 10, 1]
        var seen: [(Int, Int)] = []
        MultiIndex.forEach(start..<24, dims: dims, strides: strides) { seen.append(($0, $1)) }
        let want = (start..<24).map { p in (p, (p / 12) * 100 + (p / 4 % 3) * 10 + p % 4) }
        #expect(seen.map(\.0) == want.map(\.0))
        #expect(seen.map(\.1) == want.map(\.1))
    }

    @Test func emptyRangeOverAZeroDimCallsNothing() {
        var calls = 0
        MultiIndex.forEach(0..<0, dims: [0, 2], strides: [2, 1]) { _, _ in calls += 1 }
        MultiIndex.forEach(0..<0, dims: [3, 0], strides: [0, 1]) { _, _ in calls += 1 }
        #expect(calls == 0)
    }
}
