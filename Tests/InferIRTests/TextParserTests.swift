import Testing
@testable import InferIR

/// Texts written by `onnx.printer.to_text` (onnx 1.23), generated offline from models built with
/// `onnx.helper` and pasted verbatim (note the printer's double space after `=` and its trailing
/// space after the signature).
enum ONNXPrinterSamples {
    static let gemmClipReshape = """
        <
           ir_version: 8,
           opset_import: ["" : 17],
           producer_name: "pytorch",
           producer_version: "2.1"
        >
        small (float[batch,3] x) => (float[batch,2,1] y) 
           <float[2,3] W =  {1,2,3,4,5,6}, float[2] b =  {0.25,-1.5}, float hi =  {6}, int64[3] shape =  {-1,2,1}, float[batch,2] h>
        {
           [gemm] h = Gemm <alpha: float = 0.5, transB: int = 1> (x, W, b)
           c = Clip (h, "", hi)
           [reshape] y = Reshape (c, shape)
        }
        """

    static let ifWithSubgraphs = """
        <
           ir_version: 8,
           opset_import: ["" : 17]
        >
        ifgraph (float a, int32[2] k) => (int32[2] r) 
           <float zero =  {0}>
        {
           cond = Greater (a, zero)
           [branch] r = If (cond) <else_branch: graph = else_body () => (int32[2] e) {
              e = Identity (k)
           }, then_branch: graph = then_body () => (int32[2] t) {
              t = Constant <value: tensor = int32[2] {1,2}> ()
           }>
        }
        """

    static let customDomainAndDTypes = """
        <
           ir_version: 8,
           opset_import: ["" : 17, "swiftinfer" : 1]
        >
        fused (float[?,1,H,W] x) => (float[] y) 
           <float[1,1,1,1] w =  {1}, uint8[2] u =  {0,255}, int8[2] i8 =  {-3,4}, bool[3] mask =  {1,0,1}, double[2] dd =  {0.5,-2.25}>
        {
           y = swiftinfer.FusedConv <activation: string = "relu", alpha: float = 0.01, pads: ints = [1, 1, 1, 1]> (x, w)
        }
        """
}

@Suite struct TextParserTests {
    @Test func parsesGemmClipReshapeFromTheONNXPrinter() throws {
        let model = try ONNXTextParser.parseModel(ONNXPrinterSamples.gemmClipReshape)
        #expect(model.irVersion == 8)
        #expect(model.opsetImports == ["": 17])
        #expect(model.producerName == "pytorch" && model.producerVersion == "2.1")
        let g = model.graph
        #expect(g.name == "small")
        #expect(g.inputs == [ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: [.symbol("batch"), .value(3)]))])
        #expect(g.outputs == [ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: [.symbol("batch"), .value(2), .value(1)]))])
        #expect(try g.initializers["W"] == Tensor(shape: [2, 3], scalars: [Float(1), 2, 3, 4, 5, 6]))
        #expect(try g.initializers["b"] == Tensor(shape: [2], scalars: [Float(0.25), -1.5]))
        #expect(g.initializers["hi"] == Tensor(scalar: Float(6)))
        #expect(try g.initializers["shape"] == Tensor(shape: [3], scalars: [Int64(-1), 2, 1]))
        #expect(g.valueInfo == ["h": ValueType(dtype: .float32, shape: [.symbol("batch"), .value(2)])])
        #expect(g.nodes == [
            Node(name: "gemm", opType: "Gemm", inputs: ["x", "W", "b"], outputs: ["h"],
                 attributes: ["alpha": .float(0.5), "transB": .int(1)]),
            Node(opType: "Clip", inputs: ["h", "", "hi"], outputs: ["c"]),
            Node(name: "reshape", opType: "Reshape", inputs: ["c", "shape"], outputs: ["y"]),
        ])
    }

    @Test func parsesIfWithSubgraphAttributes() throws {
        let model = try ONNXTextParser.parseModel(ONNXPrinterSamples.ifWithSubgraphs)
        let node = try #require(model.graph.nodes.last)
        #expect(model.graph.inputs[0].type == ValueType(dtype: .float32, shape: []))
        guard case .graph(let thenBranch) = node.attributes["then_branch"],
              case .graph(let elseBranch) = node.attributes["else_branch"] else {
            Issue.record("If branches are not graph attributes")
            return
        }
        #expect(thenBranch.name == "then_body" && elseBranch.name == "else_body")
        #expect(thenBranch.outputs == [ValueInfo(name: "t", type: ValueType(dtype: .int32, dims: [2]))])
        #expect(try thenBranch.nodes == [Node(opType: "Constant", inputs: [], outputs: ["t"],
                                         attributes: ["value": .tensor(Tensor(shape: [2], scalars: [Int32(1), 2]))])])
        #expect(elseBranch.nodes == [Node(opType: "Identity", inputs: ["k"], outputs: ["e"])])
    }

    @Test func parsesCustomDomainsAndEveryDType() throws {
        let model = try ONNXTextParser.parseModel(ONNXPrinterSamples.customDomainAndDTypes)
        #expect(model.opsetImports == ["": 17, "swiftinfer": 1])
        let g = model.graph
        #expect(g.inputs[0].type.shape == [.unknown, .value(1), .symbol("H"), .symbol("W")])
        #expect(g.outputs[0].type == ValueType(dtype: .float32, shape: nil))
        #expect(try g.initializers["u"] == Tensor(shape: [2], scalars: [UInt8(0), 255]))
        #expect(try g.initializers["i8"] == Tensor(shape: [2], scalars: [Int8(-3), 4]))
        #expect(try g.initializers["mask"] == Tensor(shape: [3], scalars: [true, false, true]))
        #expect(try g.initializers["dd"] == Tensor(shape: [2], scalars: [0.5, -2.25]))
        let node = try #require(g.nodes.first)
        #expect(node.domain == "swiftinfer" && node.opType == "FusedConv" && node.qualifiedOpType == "swiftinfer.FusedConv")
        #expect(node.attributes == ["activation": .string("relu"), "alpha": .float(0.01), "pads": .ints([1, 1, 1, 1])])
    }

    @Test(arguments: [ONNXPrinterSamples.gemmClipReshape, ONNXPrinterSamples.ifWithSubgraphs, ONNXPrinterSamples.customDomainAndDTypes])
    func onnxPrinterTextsRoundTripThroughOurPrinter(text: String) throws {
        let model = try ONNXTextParser.parseModel(text)
        #expect(try ONNXTextParser.parseModel(ONNXTextPrinter.print(model)) == model)
    }

    @Test func acceptsTheGrammarsOtherSpellings() throws {
        let model = try ONNXTextParser.parseModel("""
            # a comment before the header
            <ir_version: 7, opset_import: ["" : 13, "ai.onnx.ml" : 2], domain: "d", model_version: 3,
             doc_string: "ignored", metadata_props: ["k" : "v"]>
            "graph name" (float[2] x = {1, 2}, int64 n) => (float[2] y, float z) # inline comment
            {
               y, z = Split (x) <axis = 0, split: ints = [1, 1]>     # attributes after the inputs
               w = Foo <f = 2.5, i = -3, s = "a\\"b", fs = [1, 2.5], is = [1, 2], ss = ["x", "y"],
                        ff: floats = [1, 2], fl: float = 4, e: ints = [], t = float[2] named = {3, 4},
                        nan_value = nan, minus_inf = -inf, tp = int64[?, N], tps = [float, bool[]],
                        big = 1e3> (, x, "", )
               = NoOutputs ()
               [] v = ai.onnx.ml.Bar ()
            }
            """)
        #expect(model.irVersion == 7 && model.opsetImports == ["": 13, "ai.onnx.ml": 2])
        let g = model.graph
        #expect(g.name == "graph name")
        #expect(g.inputs.map(\.name) == ["x", "n"])
        #expect(try g.initializers["x"] == Tensor(shape: [2], scalars: [Float(1), 2]))
        #expect(g.nodes[0].attributes == ["axis": .int(0), "split": .ints([1, 1])])
        let a = g.nodes[1].attributes
        #expect(a["f"] == .float(2.5) && a["i"] == .int(-3) && a["s"] == .string("a\"b"))
        #expect(a["fs"] == .floats([1, 2.5]) && a["is"] == .ints([1, 2]) && a["ss"] == .strings(["x", "y"]))
        #expect(a["ff"] == .floats([1, 2]) && a["fl"] == .float(4) && a["e"] == .ints([]))
        #expect(try a["t"] == .tensor(Tensor(shape: [2], scalars: [Float(3), 4])))
        #expect(a["minus_inf"] == .float(-.infinity) && a["big"] == .float(1000))
        if case .float(let v) = a["nan_value"] { #expect(v.isNaN) } else { Issue.record("nan_value") }
        #expect(a["tp"] == .type(ValueType(dtype: .int64, shape: [.unknown, .symbol("N")])))
        #expect(a["tps"] == .types([ValueType(dtype: .float32, shape: []), ValueType(dtype: .bool, shape: nil)]))
        #expect(g.nodes[1].inputs == ["", "x", ""])  // ONNX rule: `(, x, "", )` is three operands
        #expect(g.nodes[2].outputs.isEmpty && g.nodes[2].opType == "NoOutputs")
        #expect(g.nodes[3].domain == "ai.onnx.ml" && g.nodes[3].opType == "Bar" && g.nodes[3].name == "")
    }

    @Test func aModelWithoutHeaderHasNoOpsets() throws {
        let model = try ONNXTextParser.parseModel("g (float x) => (float y) { y = Relu (x) }")
        #expect(model.irVersion == 0 && model.opsetImports.isEmpty)
        #expect(model.graph.nodes.count == 1)
    }

    // MARK: Errors

    static let malformed: [(text: String, message: String)] = [
        ("", "line 1, column 1: expected a graph name, found end of input"),
        ("<ir_version: 8", "line 1, column 15: expected ',' or '>', found end of input"),
        ("<ir_version: \"8\">", "line 1, column 14: expected an integer, found string \"8\""),
        ("<bogus: 1> g", "line 1, column 2: expected a model header key"),
        ("g (float[2 x) => () {}", "line 1, column 12: expected ',' or ']', found 'x'"),
        ("g (float x) = (float y) {}", "line 1, column 15: expected '=>' between graph inputs and outputs, found '('"),
        ("g () => () {\n  y = Relu (x\n}", "line 3, column 1: expected ',' or ')' after the inputs of Relu, found '}'"),
        ("g () => () {\n  y = Relu <alpha = > (x)\n}", "line 2, column 21: expected a value for attribute 'alpha', found '>'"),
        ("g () => () {\n  y = Relu (x) <a: bogus = 1>\n}", "line 2, column 20: expected an attribute type"),
        ("g () => () <float[2] w = {1, 2, 3}> {}", "line 1, column 26: tensor 'w' of shape [2] needs 2 values, found 3"),
        ("g () => () <float[N] w = {1}> {}", "line 1, column 13: tensor 'w' needs a shape of numeric dimensions"),
        ("g () => () <int8[1] w = {300}> {}", "line 1, column 26: value 300 of tensor 'w' is out of range"),
        ("g () => () <int64[1] w = {1.5}> {}", "line 1, column 27: expected an integer, found number 1.5"),
        ("g () => () <float[1] w = {1e39}> {}", "line 1, column 27: number 1e39 is out of range for float"),
        ("g () => () <int64[1] w = {99999999999999999999}> {}", "line 1, column 27: integer 99999999999999999999 is out of range"),
        ("g () => () {\n  y = Foo <s = \"unterminated> (x)\n}", "line 2, column 16: unterminated string literal"),
        ("g () => () { y = Foo (x) $ }", "line 1, column 26: unexpected character '$'"),
        ("g () => () { y = Foo <a: ints = 1> (x) }", "line 1, column 33: attribute 'a' is declared ints, so its value must be a list"),
        ("g () => () { y = Foo <a: int = 1.5> (x) }", "line 1, column 32: attribute 'a' is declared int but its value is a float"),
        ("g () => () { y = Foo <a = []> (x) }", "line 1, column 27: the empty list of attribute 'a' needs a type annotation"),
        ("g () => () { y = Foo <a = [1, \"s\"]> (x) }", "line 1, column 27: attribute 'a' mixes values of kinds"),
        ("g () => () { y = Foo <a = 1, a = 2> (x) }", "line 1, column 30: duplicate attribute 'a'"),
        ("g () => () <float[1] w = {1}, float[1] w = {2}> {}", "line 1, column 40: initializer 'w' is defined twice"),
        ("g (x) => () {}", "line 1, column 4: graph input 'x' needs a type"),
        ("g () => () { y = Foo (x) } trailing", "line 1, column 28: model-local functions are not supported"),
        ("g () => () { y = - }", "line 1, column 18: expected a number after '-'"),
        ("g () => () { y = Foo:overload (x) }", "line 1, column 21: function overloads (Op:overload) are not supported"),
        ("g () => () { y = Foo <a = @ref> (x) }", "line 1, column 27: attribute references (@name) are only allowed inside functions"),
        ("g () => () <float[2] w = [\"location\": \"w.bin\"]> {}", "line 1, column 26: tensor 'w' refers to external data"),
    ]

    @Test(arguments: 0..<malformed.count)
    func malformedTextGivesALocatedParseError(index: Int) {
        let (text, message) = Self.malformed[index]
        do {
            _ = try ONNXTextParser.parseModel(text)
            Issue.record("parsed without error: \(text)")
        } catch let error as InferError {
            #expect(error.message.hasPrefix(message), "got: \(error.message)")
            #expect(!error.message.contains("\n"))
        } catch {
            Issue.record("not an InferError: \(error)")
        }
    }

    @Test func unsupportedDTypesNameTheTypeAndTheValue() {
        let cases: [(String, String)] = [
            ("g (float16[2] x) => () {}", "graph input 'x' has element type float16"),
            ("g () => (string y) {}", "graph output 'y' has element type string"),
            ("g () => () <bfloat16[1] w = {1}> {}", "tensor 'w' has element type bfloat16"),
            ("g () => () <uint16 v> {}", "value 'v' has element type uint16"),
            ("g () => () { y = Constant <value = float16 {1}> () }", "tensor 'value' has element type float16"),
        ]
        for (text, fragment) in cases {
            #expect {
                try ONNXTextParser.parseModel(text)
            } throws: { error in
                guard let error = error as? InferError else { return false }
                return error.kind == .unsupportedDType && error.message.contains(fragment)
            }
        }
    }

    @Test func nonTensorTypesAreUnsupportedFeatures() {
        #expect {
            try ONNXTextParser.parseModel("g (seq(float) x) => () {}")
        } throws: { ($0 as? InferError)?.kind == .unsupportedFeature }
    }

    @Test func subgraphNestingIsBounded() {
        // 10_000 nested graph attributes: must fail cleanly instead of overflowing the stack.
        let depth = 10_000
        let text = "g () => () {" + String(repeating: " y = If <b = g () => () {", count: depth)
            + String(repeating: "}> (c)", count: depth) + "}"
        #expect {
            try ONNXTextParser.parseModel(text)
        } throws: { error in
            (error as? InferError)?.message.contains("nests subgraphs 65 levels deep, over the limit of 64") == true
        }
    }
}
