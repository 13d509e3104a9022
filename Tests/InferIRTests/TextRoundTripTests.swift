import Testing
@testable import InferIR

/// `parse(print(m)) == m` on hand-built models (tensor equality is bytewise, so special floats
/// must come back bit-exact).
@Suite struct TextRoundTripTests {
    @Test func kitchenSinkRoundTrips() throws {
        let model = TextTestModels.kitchenSink
        let text = ONNXTextPrinter.print(model)
        let parsed = try ONNXTextParser.parseModel(text)
        #expect(parsed == model)
        // Printing is deterministic and a fixed point.
        #expect(ONNXTextPrinter.print(parsed) == text)
    }

    // Arguments are names, not tensors: `Tensor.description` traps on Int64.max (shared code).
    @Test(arguments: TextTestModels.tensorsOfEveryDType.keys.sorted())
    func tensorOfEachDTypeRoundTripsBitExactly(name: String) throws {
        let tensor = try #require(TextTestModels.tensorsOfEveryDType[name])
        let model = Model(graph: Graph(
            name: "g", inputs: [], outputs: [ValueInfo(name: "v", type: tensor.type)],
            initializers: ["v": tensor],
            nodes: [Node(opType: "Constant", inputs: [], outputs: ["c"], attributes: ["value": .tensor(tensor)])]))
        let parsed = try ONNXTextParser.parseModel(ONNXTextPrinter.print(model))
        #expect(parsed.graph.initializers["v"]?.bytes == tensor.bytes)
        #expect(parsed == model)
    }

    @Test func specialFloatsKeepTheirBits() throws {
        let model = TextTestModels.kitchenSink
        let parsed = try ONNXTextParser.parseModel(ONNXTextPrinter.print(model))
        let floats = try #require(parsed.graph.initializers["f32"]).scalars(as: Float.self)
        #expect(floats.map(\.bitPattern) == TextTestModels.specialFloats.map(\.bitPattern))
        let doubles = try #require(parsed.graph.initializers["f64"]).scalars(as: Double.self)
        #expect(doubles.map(\.bitPattern) == TextTestModels.specialDoubles.map(\.bitPattern))
        // Float attributes compare with ==, under which -0.0 == 0.0: check the sign bit directly.
        let attributes = try #require(parsed.graph.nodes.first?.attributes)
        guard case .float(let negativeZero) = attributes["f_neg_zero"],
              case .floats(let list) = attributes["fs"] else { Issue.record("missing attributes"); return }
        #expect(negativeZero.bitPattern == (-0.0 as Float).bitPattern)
        #expect(list[1].bitPattern == (-0.0 as Float).bitPattern)
    }

    /// Random floats (uniform over bit patterns, NaNs excepted) survive print + parse.
    @Test func randomFloatBitPatternsRoundTrip() throws {
        var rng = SplitMix64(seed: 7)
        var floats: [Float] = []
        while floats.count < 4000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            if !f.isNaN { floats.append(f) }
        }
        let doubles = (0..<2000).map { _ in Double(bitPattern: rng.next()) }.filter { !$0.isNaN }
        let graph = Graph(name: "g", initializers: [
            "f": try Tensor(shape: [floats.count], scalars: floats),
            "d": try Tensor(shape: [doubles.count], scalars: doubles),
        ])
        let model = Model(graph: graph)
        #expect(try ONNXTextParser.parseModel(ONNXTextPrinter.print(model)) == model)
    }

    @Test func deeplyNestedSubgraphsWithinTheLimitRoundTrip() throws {
        let leaf = Graph(name: "leaf", outputs: [ValueInfo(name: "v", type: ValueType(dtype: .float32, shape: []))])
        var graph = leaf
        for level in 0..<40 {
            graph = Graph(name: "level\(level)", outputs: [ValueInfo(name: "v", type: ValueType(dtype: .float32, shape: []))],
                          nodes: [Node(opType: "If", inputs: ["c"], outputs: ["v"],
                                       attributes: ["then_branch": .graph(graph), "else_branch": .graph(leaf)])])
        }
        let model = Model(graph: graph)
        #expect(try ONNXTextParser.parseModel(ONNXTextPrinter.print(model)) == model)
    }

    @Test func awkwardNamesAreQuotedAndComeBack() throws {
        let names = ["0", "a.b", "x:0", "with space", "float", "nan", "ünï", "", "\"q\"", "back\\slash"]
        for name in names {
            let graph = Graph(
                name: name.isEmpty ? "g" : name,
                inputs: [ValueInfo(name: name + "_in", type: ValueType(dtype: .float32, dims: [1]))],
                outputs: [ValueInfo(name: name + "_out", type: ValueType(dtype: .float32, dims: [1]))],
                nodes: [Node(name: name, opType: "Identity", inputs: [name + "_in"], outputs: [name + "_out"],
                             attributes: ["g": .graph(Graph(name: name))])])
            let model = Model(graph: graph)
            let text = ONNXTextPrinter.print(model)
            #expect(try ONNXTextParser.parseModel(text) == model, "name \(name.debugDescription):\n\(text)")
        }
    }

    @Test func printedLayoutMatchesTheONNXPrinterStyle() {
        let model = Model(graph: Graph(
            name: "g",
            inputs: [ValueInfo(name: "x", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(2)]))],
            outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: [.symbol("N"), .value(2)]))],
            initializers: ["b": Tensor(shape: [2], exactly: [Float(0.5), -1])],
            nodes: [Node(name: "add", opType: "Add", inputs: ["x", "b"], outputs: ["y"]),
                    Node(opType: "Clip", inputs: ["y", "", "hi"], outputs: ["z"], attributes: ["alpha": .float(0.25)])]))
        #expect(ONNXTextPrinter.print(model) == """
            <
               ir_version: 8,
               opset_import: ["" : 17]
            >
            g (float[N,2] x) => (float[N,2] y)
               <float[2] b = {0.5,-1.0}>
            {
               [add] y = Add (x, b)
               z = Clip (y, "", hi) <alpha: float = 0.25>
            }

            """)
    }
}
