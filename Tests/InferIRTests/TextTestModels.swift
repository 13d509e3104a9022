@testable import InferIR

/// Hand-built models for the text parser/printer tests: every attribute kind, every dtype,
/// special float values, awkward names.
enum TextTestModels {
    static let specialFloats: [Float] = [
        0, -0.0, 1, -1, 0.1, 1.0 / 3.0, .nan, -.nan, .infinity, -.infinity,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, Float(bitPattern: 0x007F_FFFF),
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-20, 123456.79, .pi, 16_777_217,
    ]

    static let specialDoubles: [Double] = [
        0, -0.0, 0.1, 1.0 / 3.0, .nan, -.nan, .infinity, -.infinity, .leastNonzeroMagnitude,
        .leastNormalMagnitude, .greatestFiniteMagnitude, 1e300, -1e-300, .pi,
    ]

    /// One tensor of every supported dtype, with edge values.
    static var tensorsOfEveryDType: [String: Tensor] {
        [
            "f32": Tensor(shape: [4, 5], exactly: specialFloats),
            "f64": Tensor(shape: [14], exactly: specialDoubles),
            "i64": Tensor(shape: [5], exactly: [Int64.min, -1, 0, 1, Int64.max]),
            "i32": Tensor(shape: [2, 2], exactly: [Int32.min, -7, 0, Int32.max]),
            "i8": Tensor(shape: [3], exactly: [Int8.min, 0, Int8.max]),
            "u8": Tensor(shape: [3], exactly: [UInt8.min, 17, UInt8.max]),
            "flags": Tensor(shape: [2, 2], exactly: [true, false, false, true]),
            "scalar": Tensor(scalar: Float(2.5)),
            "empty": Tensor(shape: [0, 3], exactly: [Float]()),
        ]
    }

    static let subgraph = Graph(
        name: "body",
        inputs: [ValueInfo(name: "i", type: ValueType(dtype: .int64, shape: []))],
        outputs: [ValueInfo(name: "o", type: ValueType(dtype: .float32, shape: [.symbol("K"), .unknown]))],
        initializers: ["c": Tensor(shape: [1], exactly: [Float(-0.0)])],
        nodes: [Node(opType: "Identity", inputs: ["c"], outputs: ["o"])])

    static let nestedSubgraph = Graph(
        name: "outer_body", inputs: [], outputs: [ValueInfo(name: "z", type: ValueType(dtype: .bool, shape: nil))],
        nodes: [Node(name: "inner_if", opType: "If", inputs: ["cond"], outputs: ["z"],
                     attributes: ["then_branch": .graph(subgraph), "else_branch": .graph(subgraph)])])

    /// A node carrying every attribute kind.
    static var everyAttributeKind: [String: Attribute] {
        [
            "f": .float(1.5), "f_neg_zero": .float(-0.0), "f_tiny": .float(.leastNonzeroMagnitude), "f_inf": .float(-.infinity),
            "f_integral": .float(3),
            "i": .int(-42), "i_big": .int(Int.max),
            "s": .string("tab\there \"quoted\" back\\slash\nnew line, ünïcødé ✓"), "s_empty": .string(""),
            "t": .tensor(Tensor(shape: [2], exactly: [Int64(3), -4])),
            "t_scalar": .tensor(Tensor(scalar: Double(0.1))),
            "g": .graph(subgraph),
            "fs": .floats([0.5, -0.0, 1e-30, 2]), "fs_empty": .floats([]),
            "is": .ints([1, -2, 3]), "is_empty": .ints([]),
            "ss": .strings(["a", "", "c\"d"]), "ss_empty": .strings([]),
            "ts": .tensors([Tensor(shape: [1], exactly: [UInt8(9)]), Tensor(shape: [2], exactly: [true, false])]),
            "ts_empty": .tensors([]),
            "gs": .graphs([subgraph, nestedSubgraph]), "gs_empty": .graphs([]),
            "tp": .type(ValueType(dtype: .float32, shape: [.value(2), .symbol("N"), .unknown])),
            "tp_scalar": .type(ValueType(dtype: .int8, shape: [])),
            "tps": .types([ValueType(dtype: .float64, shape: nil), ValueType(dtype: .uint8, dims: [3])]),
            "tps_empty": .types([]),
        ]
    }

    static var kitchenSink: Model {
        let graph = Graph(
            name: "kitchen_sink",
            inputs: [
                ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(3), .unknown])),
                ValueInfo(name: "scalar_in", type: ValueType(dtype: .float32, shape: [])),
                ValueInfo(name: "unranked", type: ValueType(dtype: .int64, shape: nil)),
                ValueInfo(name: "onnx::Conv_3", type: ValueType(dtype: .bool, dims: [2])),
                // An initializer that is also an input (an overridable default).
                ValueInfo(name: "f32", type: ValueType(dtype: .float32, dims: [4, 5])),
            ],
            outputs: [
                ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(3), .unknown])),
                ValueInfo(name: "0", type: ValueType(dtype: .float64, shape: nil)),
            ],
            initializers: tensorsOfEveryDType,
            nodes: [
                Node(name: "everything", opType: "Everything", domain: "swiftinfer", inputs: ["x", "", "onnx::Conv_3", ""],
                     outputs: ["y", "", "t"], attributes: everyAttributeKind),
                Node(opType: "Cast", inputs: ["t"], outputs: ["0"], attributes: ["to": .int(11)]),
                Node(name: "name with spaces", opType: "Op", domain: "com.example.deep", inputs: [], outputs: []),
            ],
            valueInfo: ["t": ValueType(dtype: .float32, shape: [.symbol("N")]),
                        "f32": ValueType(dtype: .float32, dims: [4, 5])])
        return Model(irVersion: 8, opsetImports: ["": 17, "swiftinfer": 1, "com.example.deep": 3],
                     producerName: "tests \"quoted\"", producerVersion: "0.1", graph: graph)
    }
}
