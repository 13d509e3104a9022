import Testing
@testable import InferIR

@Suite struct VerifierTests {
    let x = ValueInfo(name: "x", type: ValueType(dtype: .float32, dims: [2]))

    func message(_ graph: Graph) -> String? {
        do { _ = try Verifier.verify(graph); return nil } catch let e as InferError { return e.message } catch { return "\(error)" }
    }

    @Test func sortsOutOfOrderNodes() throws {
        let g = Graph(inputs: [x], outputs: [ValueInfo(name: "z", type: x.type)], nodes: [
            Node(name: "second", opType: "Relu", inputs: ["y"], outputs: ["z"]),
            Node(name: "first", opType: "Neg", inputs: ["x"], outputs: ["y"]),
        ])
        #expect(try Verifier.verify(g).map(\.name) == ["first", "second"])
    }

    @Test func reportsCycleUndefinedAndDoubleAssignment() {
        let cycle = Graph(inputs: [x], outputs: [], nodes: [
            Node(name: "a", opType: "Add", inputs: ["x", "c"], outputs: ["b"]),
            Node(name: "b", opType: "Neg", inputs: ["b"], outputs: ["c"]),
        ])
        #expect(message(cycle)?.contains("cycle") == true)
        let undefined = Graph(inputs: [x], nodes: [Node(name: "n", opType: "Neg", inputs: ["nope"], outputs: ["y"])])
        #expect(message(undefined)?.contains("\"nope\"") == true)
        let twice = Graph(inputs: [x], nodes: [
            Node(name: "n1", opType: "Neg", inputs: ["x"], outputs: ["y"]),
            Node(name: "n2", opType: "Neg", inputs: ["x"], outputs: ["y"]),
        ])
        #expect(message(twice)?.contains("more than once") == true)
        let missingOutput = Graph(inputs: [x], outputs: [ValueInfo(name: "q", type: x.type)])
        #expect(message(missingOutput)?.contains("\"q\"") == true)
    }
}
