import Testing
@testable import InferIR

@Suite struct BroadcastingTests {
    @Test func concreteShapes() {
        #expect(Broadcasting.shape([2, 3, 4], [4]) == [2, 3, 4])
        #expect(Broadcasting.shape([2, 1, 4], [3, 1]) == [2, 3, 4])
        #expect(Broadcasting.shape([], [5]) == [5])
        #expect(Broadcasting.shape([0, 3], [1, 3]) == [0, 3])
        #expect(Broadcasting.shape([2, 3], [3, 2]) == nil)
    }

    @Test func symbolicShapes() {
        #expect(Broadcasting.shape([.symbol("N"), .value(4)], [.value(4)]) == [.symbol("N"), .value(4)])
        #expect(Broadcasting.shape([.symbol("N")], [.value(1)]) == [.symbol("N")])
        #expect(Broadcasting.shape([.symbol("N")], [.symbol("M")]) == [.unknown])
        #expect(Broadcasting.shape([.value(2)], [.value(3)]) == nil)
    }

    @Test func broadcastStrides() {
        #expect(Broadcasting.strides(of: [3, 1], broadcastTo: [2, 3, 4]) == [0, 1, 0])
        #expect(Broadcasting.strides(of: [2, 3, 4], broadcastTo: [2, 3, 4]) == [12, 4, 1])
    }
}
