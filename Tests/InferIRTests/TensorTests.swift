import Testing
@testable import InferIR

@Test func tensorRoundTripsScalars() throws {
    let t = try Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
    #expect(try t.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])
    #expect(throws: InferError.self) { try t.scalars(as: Int64.self) }
    #expect(t.byteCount == 24)
}

@Test func absurdShapeIsRefused() {
    #expect(throws: InferError.self) { try Tensor.zeros(.float32, shape: [1_000_000, 1_000_000]) }
    #expect(throws: InferError.self) { try Tensor.zeros(.float32, shape: [-1, 4]) }
}
