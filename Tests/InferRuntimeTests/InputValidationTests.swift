import Testing
import InferIR
@testable import InferRuntime

@Suite struct InputValidationTests {
    let graph = Graph(inputs: [
        ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(4)])),
        ValueInfo(name: "mask", type: ValueType(dtype: .bool, shape: [.symbol("N"), .unknown])),
    ])

    func kind(_ feeds: [String: Tensor]) -> InferError.Kind? {
        do { try InputValidation.validate(feeds, against: InputSignature(graph)); return nil } catch let e as InferError { return e.kind } catch { return nil }
    }

    @Test func acceptsConsistentBindings() {
        #expect(kind(["x": Tensor(zeros: .float32, shape: [3, 4]), "mask": Tensor(zeros: .bool, shape: [3, 7])]) == nil)
    }

    @Test func rejectsEachKindOfMistake() {
        #expect(kind(["x": Tensor(zeros: .float32, shape: [3, 4])]) == .missingInput)
        #expect(kind(["x": Tensor(zeros: .float32, shape: [3, 4]), "mask": Tensor(zeros: .bool, shape: [3, 1]),
                      "y": Tensor(zeros: .float32, shape: [1])]) == .unknownInput)
        #expect(kind(["x": Tensor(zeros: .float64, shape: [3, 4]), "mask": Tensor(zeros: .bool, shape: [3, 1])]) == .dtypeMismatch)
        #expect(kind(["x": Tensor(zeros: .float32, shape: [3, 5]), "mask": Tensor(zeros: .bool, shape: [3, 1])]) == .invalidShape)
        #expect(kind(["x": Tensor(zeros: .float32, shape: [3, 4]), "mask": Tensor(zeros: .bool, shape: [2, 1])]) == .invalidShape)
        #expect(kind(["x": Tensor(zeros: .float32, shape: [4]), "mask": Tensor(zeros: .bool, shape: [2, 1])]) == .invalidShape)
    }

    @Test func missingInputMessageListsEveryInput() throws {
        do {
            try InputValidation.validate([:], against: InputSignature(graph))
            Issue.record("expected an error")
        } catch let e as InferError {
            #expect(e.message.contains("x: float[N,4]"))
            #expect(e.message.contains("mask: bool[N,?]"))
        }
    }
}
