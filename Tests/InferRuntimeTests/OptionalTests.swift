import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// OptionalHasElement / OptionalGetElement (opset 18+) on plain tensors and omitted inputs.

fileprivate func runNode(_ op: String, opset: Int = 18, _ inputs: [Tensor?]) throws -> Tensor {
    let node = Node(name: "n", opType: op, inputs: inputs.enumerated().map { $0.element == nil ? "" : "in\($0.offset)" },
                    outputs: ["y"], attributes: [:])
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs))
    return outs[0]
}

@Suite struct OptionalTests {
    @Test func hasElementIsTrueForTensorsFalseWhenOmitted() throws {
        for opset in [18, 28] {
            let present = try runNode("OptionalHasElement", opset: opset, [Tensor(shape: [2], scalars: [Int64(1), 2])])
            let flag = try present.scalars(as: Bool.self)
            #expect(present.shape == [] && present.dtype == .bool && flag == [true])
            #expect(try runNode("OptionalHasElement", opset: opset, [nil]).scalars(as: Bool.self) == [false])
            #expect(try runNode("OptionalHasElement", opset: opset, []).scalars(as: Bool.self) == [false])
        }
    }

    @Test func getElementReturnsTheTensor() throws {
        let x = try Tensor(shape: [2, 2], scalars: [Float(1), -2, 3.5, 0])
        let y = try runNode("OptionalGetElement", [x])
        let values = try y.scalars(as: Float.self)
        #expect(y.shape == [2, 2] && values == [1, -2, 3.5, 0])
        let flags = try Tensor(shape: [3], scalars: [true, false, true])
        #expect(try runNode("OptionalGetElement", opset: 28, [flags]).scalars(as: Bool.self) == [true, false, true])
    }

    @Test func getElementWithoutInputThrows() {
        #expect(throws: InferError.self) { _ = try runNode("OptionalGetElement", [nil]) }
        #expect(throws: InferError.self) { _ = try runNode("OptionalGetElement", []) }
    }
}
