import Testing
import InferIR
import InferRuntime

/// Helpers shared by the TensorOp*Tests: run one node through a `.dynamic` Program, call one
/// schema's shape inference, build tensors of any dtype, and naive index arithmetic.
enum TensorOpHarness {
    /// Runs a single `op` node; nil inputs are omitted optional inputs.
    static func run(_ op: String, opset: Int = 17, _ inputs: [Tensor?], _ attributes: [String: Attribute] = [:],
                    outputs: Int = 1) throws -> [Tensor] {
        var graphInputs: [ValueInfo] = []
        var feeds: [String: Tensor] = [:]
        var names: [String] = []
        for (i, t) in inputs.enumerated() {
            guard let t else { names.append(""); continue }
            names.append("in\(i)")
            graphInputs.append(ValueInfo(name: "in\(i)", type: t.type))
            feeds["in\(i)"] = t
        }
        let outs = (0..<outputs).map { "out\($0)" }
        let node = Node(name: "n", opType: op, inputs: names, outputs: outs, attributes: attributes)
        let graph = Graph(inputs: graphInputs, outputs: outs.map { ValueInfo(name: $0, type: ValueType(dtype: .float32, shape: nil)) },
                          nodes: [node])
        let program = try Program(model: Model(opsetImports: ["": opset], graph: graph), layout: .dynamic)
        let result = try program.run(feeds)
        return outs.map { result[$0]! }
    }

    static func run1(_ op: String, opset: Int = 17, _ inputs: [Tensor?], _ attributes: [String: Attribute] = [:]) throws -> Tensor {
        try run(op, opset: opset, inputs, attributes)[0]
    }

    /// Shape inference of one node as the compiler sees it: types, and values only where given.
    static func infer(_ op: String, opset: Int = 17, types: [ValueType?], values: [Tensor?] = [],
                      _ attributes: [String: Attribute] = [:], outputs: Int = 1) throws -> [ValueType] {
        let names = types.enumerated().map { $0.element == nil ? "" : "in\($0.offset)" }
        let node = Node(name: "n", opType: op, inputs: names, outputs: (0..<outputs).map { "out\($0)" }, attributes: attributes)
        let vals = (0..<types.count).map { $0 < values.count ? values[$0] : nil }
        let ctx = ShapeContext(node: node, opset: opset, inputTypes: types, inputValues: vals)
        return try OperatorRegistry.schema(for: node)!.inferTypes(ctx)
    }

    static let allDTypes: [DType] = [.float32, .float64, .int64, .int32, .int8, .uint8, .bool]

    /// A tensor of `dtype` from Doubles (bools: non-zero is true).
    static func tensor(_ dtype: DType, _ shape: [Int], _ values: [Double]) -> Tensor {
        switch dtype {
        case .float32: Tensor(shape: shape, exactly: values.map { Float($0) })
        case .float64: Tensor(shape: shape, exactly: values)
        case .int64: Tensor(shape: shape, exactly: values.map { Int64($0) })
        case .int32: Tensor(shape: shape, exactly: values.map { Int32($0) })
        case .int8: Tensor(shape: shape, exactly: values.map { Int8(truncatingIfNeeded: Int($0)) })
        case .uint8: Tensor(shape: shape, exactly: values.map { UInt8(truncatingIfNeeded: Int($0)) })
        case .bool: Tensor(shape: shape, exactly: values.map { $0 != 0 })
        }
    }

    /// Values that survive every dtype unchanged: 1...n, mod 100 (bool: alternating).
    static func sample(_ dtype: DType, _ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        let isBool = dtype == .bool
        let values: [Double] = (0..<n).map { (i: Int) -> Double in
            if isBool { return i % 3 == 0 ? 1 : 0 }
            return Double(i % 100 + 1)
        }
        return tensor(dtype, shape, values)
    }

    static func ints(_ v: [Int]) -> Tensor { Tensor(shape: [v.count], exactly: v.map(Int64.init)) }
    static func floats(_ shape: [Int], _ v: [Float]) -> Tensor { Tensor(shape: shape, exactly: v) }
    static func iota(_ shape: [Int]) -> Tensor { Tensor(shape: shape, exactly: (0..<shape.reduce(1, *)).map(Float.init)) }

    static func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
        var rest = flat
        var m = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) { m[d] = rest % shape[d]; rest /= shape[d] }
        return m
    }

    static func flatIndex(_ m: [Int], _ shape: [Int]) -> Int {
        var f = 0
        for d in 0..<shape.count { f = f * shape[d] + m[d] }
        return f
    }

    /// Expects `body` to throw an InferError (not crash, not succeed).
    static func expectInferError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: InferError.self, sourceLocation: sourceLocation) { try body() }
    }
}

@Test func harnessRunsIdentity() throws {
    let x = TensorOpHarness.iota([2, 3])
    #expect(try TensorOpHarness.run1("Identity", [x]) == x)
}
