import Foundation
import InferIR
import InferOptimizer
import Testing
@testable import InferRuntime

/// If / Loop / Scan (nested executors, outer-scope reads), checked against naive Swift
/// references written here, at -O0 and -O2 (where a node with static output shapes is one step
/// of a static plan, and the optimizer must leave the subgraphs' outer reads alive).
@Suite struct ControlFlowTests {
    static func header(_ inputs: String, _ outputs: String, opset: Int) -> String {
        "<\n ir_version: 8,\n opset_import: [\"\" : \(opset)]\n>\ng (\(inputs)) => (\(outputs))\n"
    }

    static func engines(_ source: String) throws -> [Engine] {
        let model = try ONNXTextParser.parseModel(source)
        return [try Engine(model: model, optimization: .none), try Engine(model: model, optimization: .full)]
    }

    static func floats(_ t: Tensor?) throws -> [Float] { try #require(t).scalars(as: Float.self) }

    // If: branches read outer values (`x`, and `w` computed in the outer graph) by name.
    static let ifModel = header("bool c, float[3] x", "float[3] y", opset: 13) + """
    {
       w = Mul (x, x)
       y = If (c) <then_branch: graph = th () => (float[3] t) {
          t = Add (x, w)
       }, else_branch: graph = el () => (float[3] e) {
          e = Neg (x)
       }>
    }
    """

    @Test(arguments: [true, false])
    func ifPicksBranchAndReadsOuterValues(cond: Bool) throws {
        let x: [Float] = [1, -2, 3]
        let want = cond ? x.map { $0 + $0 * $0 } : x.map { -$0 }
        for engine in try Self.engines(Self.ifModel) {
            let y = try engine.run(["c": Tensor(scalar: cond), "x": Tensor(shape: [3], scalars: x)])["y"]
            #expect(try Self.floats(y) == want)
        }
    }

    @Test func ifShapeInferenceMergesBranches() throws {
        let source = Self.header("bool c, float[2,3] x", "float[] y", opset: 13) + """
        {
           y = If (c) <then_branch: graph = th () => (float[] t) {
              t = Identity (x)
           }, else_branch: graph = el () => (float[] e) {
              s = Constant <value: tensor = int64[2] {2, 4}> ()
              e = Expand (x0, s)
           }>
           x0 = Slice (x, st, en, ax)
           st = Constant <value: tensor = int64[1] {0}> ()
           en = Constant <value: tensor = int64[1] {1}> ()
           ax = Constant <value: tensor = int64[1] {1}> ()
        }
        """
        var model = try ONNXTextParser.parseModel(source)
        try ShapeInference.run(&model)
        // then: [2,3], else: [2,4] → [2,?]
        #expect(model.graph.valueInfo["y"] == ValueType(dtype: .float32, shape: [.value(2), .unknown]))
        let x = try Tensor(shape: [2, 3], scalars: (1...6).map { Float($0) })
        for engine in try Self.engines(source) {
            #expect(try engine.run(["c": Tensor(scalar: false), "x": x])["y"]?.shape == [2, 4])
            #expect(try engine.run(["c": Tensor(scalar: true), "x": x])["y"]?.shape == [2, 3])
        }
    }

    // Loop: y accumulates x[i] (outer value) for M trips unless cond stops it; scan output stacks y.
    static let loopModel = header("int64 M, bool c, float[1] y0, float[4] x", "float[1] y, float[?,1] ys, int64 n", opset: 11) + """
    {
       y, n, ys = Loop (M, c, y0, zero) <body: graph = body (int64 i, bool ci, float[1] yi, int64 ni) => (bool co, float[1] yo, int64 no, float[1] so) {
          one = Constant <value: tensor = int64 {1}> ()
          e = Add (i, one)
          b = Unsqueeze <axes: ints = [0]> (i)
          f = Unsqueeze <axes: ints = [0]> (e)
          xi = Slice (x, b, f)
          yo = Add (yi, xi)
          no = Add (ni, one)
          lim = Constant <value: tensor = float {5}> ()
          co = Less (yo, lim)
          so = Identity (yo)
       }>
       zero = Constant <value: tensor = int64 {0}> ()
    }
    """

    @Test(arguments: [(Int64(3), true), (Int64(4), true), (Int64(0), true), (Int64(4), false)])
    func loopRunsTripsAndStacksScanOutputs(m: Int64, cond: Bool) throws {
        let x: [Float] = [1, 2, 3, 4]
        // Naive: the loop body adds x[i] and continues while y < 5.
        var y: Float = 0.5, ys: [Float] = [], n: Int64 = 0, c = cond
        while n < m && c { y += x[Int(n)]; ys.append(y); n += 1; c = y < 5 }
        for engine in try Self.engines(Self.loopModel) {
            let out = try engine.run(["M": Tensor(scalar: m), "c": Tensor(scalar: cond), "y0": Tensor(shape: [1], scalars: [Float(0.5)]),
                                      "x": Tensor(shape: [4], scalars: x)])
            #expect(try Self.floats(out["y"]) == [y])
            #expect(out["ys"]?.shape == [ys.count, 1])
            #expect(try Self.floats(out["ys"]) == ys)
            #expect(try out["n"]?.scalars(as: Int64.self) == [n])
        }
    }

    @Test func loopWithoutTripCountRunsUntilCondFalse() throws {
        let source = Self.header("float s0", "float s", opset: 11) + """
        {
           t = Constant <value: tensor = bool {1}> ()
           s = Loop ("", t, s0) <body: graph = body (int64 i, bool ci, float si) => (bool co, float so) {
              two = Constant <value: tensor = float {2}> ()
              so = Mul (si, two)
              lim = Constant <value: tensor = float {100}> ()
              co = Less (so, lim)
           }>
        }
        """
        for engine in try Self.engines(source) {
            #expect(try Self.floats(engine.run(["s0": Tensor(scalar: Float(3))])["s"]) == [192])
        }
    }

    /// Naive Scan-9 reference: state += slice; output element = state * slice.
    static func naiveScan(_ x: [Float], rows: Int, cols: Int, axis: Int, reverseIn: Bool, outAxis: Int, reverseOut: Bool) -> (state: [Float], out: [Float]) {
        let steps = axis == 0 ? rows : cols, width = axis == 0 ? cols : rows
        var state = [Float](repeating: 0, count: width)
        var elements: [[Float]] = []
        for t in 0..<steps {
            let s = reverseIn ? steps - 1 - t : t
            let slice = (0..<width).map { axis == 0 ? x[s * cols + $0] : x[$0 * cols + s] }
            for k in 0..<width { state[k] += slice[k] }
            elements.append((0..<width).map { state[$0] * slice[$0] })
        }
        if reverseOut { elements.reverse() }
        // Stack along outAxis: [steps, width] or [width, steps].
        var out: [Float] = []
        if outAxis == 0 { out = elements.flatMap { $0 } } else {
            for k in 0..<width { for t in 0..<steps { out.append(elements[t][k]) } }
        }
        return (state, out)
    }

    @Test(arguments: [(0, 0, 0, 0), (1, 0, 0, 0), (1, 1, 1, 1), (0, 1, -1, 0), (-1, 0, 1, 1)])
    func scan9AxesAndDirections(axis: Int, inDir: Int, outAxis: Int, outDir: Int) throws {
        let rows = 3, cols = 4
        let width = (axis == 0 ? cols : rows)
        let source = Self.header("float[\(width)] s0, float[\(rows),\(cols)] x", "float[\(width)] s, float[] o", opset: 16) + """
        {
           s, o = Scan (s0, x) <num_scan_inputs: int = 1, scan_input_axes: ints = [\(axis)], scan_input_directions: ints = [\(inDir)],
                 scan_output_axes: ints = [\(outAxis)], scan_output_directions: ints = [\(outDir)],
                 body: graph = body (float[\(width)] si, float[\(width)] xi) => (float[\(width)] so, float[\(width)] oe) {
              so = Add (si, xi)
              oe = Mul (so, xi)
           }>
        }
        """
        let x = (0..<(rows * cols)).map { Float($0 % 5) - 1.5 }
        let normalizedAxis = axis < 0 ? axis + 2 : axis, normalizedOut = outAxis < 0 ? outAxis + 2 : outAxis
        let want = Self.naiveScan(x, rows: rows, cols: cols, axis: normalizedAxis, reverseIn: inDir == 1, outAxis: normalizedOut, reverseOut: outDir == 1)
        let steps = normalizedAxis == 0 ? rows : cols
        for engine in try Self.engines(source) {
            let out = try engine.run(["s0": Tensor(zeros: .float32, shape: [width]), "x": Tensor(shape: [rows, cols], scalars: x)])
            #expect(try Self.floats(out["s"]) == want.state)
            #expect(out["o"]?.shape == (normalizedOut == 0 ? [steps, width] : [width, steps]))
            #expect(try Self.floats(out["o"]) == want.out)
        }
    }

    /// Scan-8: axis 0 is a batch, each entry scanned separately; sequence_lens shortens some.
    @Test func scan8BatchesAndSequenceLengths() throws {
        let source = Self.header("int64[2] lens, float[2,2] s0, float[2,3,2] x", "float[2,2] s, float[2,3,2] o", opset: 8) + """
        {
           s, o = Scan (lens, s0, x) <num_scan_inputs: int = 1, body: graph = body (float[2] si, float[2] xi) => (float[2] so, float[2] oe) {
              so = Add (si, xi)
              oe = Identity (so)
           }>
        }
        """
        let x: [Float] = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]
        let out = try Self.engines(source).map {
            try $0.run(["lens": Tensor(shape: [2], scalars: [Int64(3), 2]), "s0": Tensor(shape: [2, 2], scalars: [Float](repeating: 0, count: 4)),
                        "x": Tensor(shape: [2, 3, 2], scalars: x)])
        }
        for o in out {
            #expect(try Self.floats(o["s"]) == [9, 12, 40, 60])
            // Batch 1 stops after 2 steps; the rest stays zero.
            #expect(try Self.floats(o["o"]) == [1, 2, 4, 6, 9, 12, 10, 20, 40, 60, 0, 0])
        }
    }

    @Test func badInputsThrowInferError() throws {
        // cond of the wrong dtype
        let ifBad = Self.header("float c, float[3] x", "float[3] y", opset: 13) + """
        {
           y = If (c) <then_branch: graph = th () => (float[3] t) { t = Identity (x) }, else_branch: graph = el () => (float[3] e) { e = Neg (x) }>
        }
        """
        // Refused on load at every level (the model is validated before anything runs).
        for level in OptimizationLevel.allCases {
            let error = #expect(throws: InferError.self) { try Engine(model: ONNXTextParser.parseModel(ifBad), optimization: level) }
            #expect(error?.message.contains("cond must be bool, got float") == true, "\(String(describing: error))")
        }
        // a subgraph reading a value no scope defines
        let undefined = Self.header("bool c, float[3] x", "float[3] y", opset: 13) + """
        {
           y = If (c) <then_branch: graph = th () => (float[3] t) { t = Identity (nowhere) }, else_branch: graph = el () => (float[3] e) { e = Neg (x) }>
        }
        """
        #expect(throws: InferError.self) { try Engine(model: ONNXTextParser.parseModel(undefined), optimization: .none) }
        // Loop body whose scan output changes shape between iterations
        let ragged = Self.header("int64 M", "float[?] ys", opset: 13) + """
        {
           ys = Loop (M, "") <body: graph = body (int64 i, bool ci) => (bool co, float[?] so) {
              co = Identity (ci)
              one = Constant <value: tensor = int64[1] {1}> ()
              n = Add (i, one)
              so = ConstantOfShape (n)
           }>
        }
        """
        let engine = try Engine(model: ONNXTextParser.parseModel(ragged), optimization: .none)
        #expect(throws: InferError.self) { try engine.run(["M": Tensor(scalar: Int64(3))]) }
        // Scan with inputs of different sequence lengths
        let mismatched = Self.header("float[2] s0, float[3,2] a, float[4,2] b", "float[2] s", opset: 11) + """
        {
           s = Scan (s0, a, b) <num_scan_inputs: int = 2, body: graph = body (float[2] si, float[2] ai, float[2] bi) => (float[2] so) {
              so = Add (ai, bi)
           }>
        }
        """
        let scan = try Engine(model: ONNXTextParser.parseModel(mismatched), optimization: .none)
        #expect(throws: InferError.self) {
            try scan.run(["s0": Tensor(zeros: .float32, shape: [2]), "a": Tensor(zeros: .float32, shape: [3, 2]), "b": Tensor(zeros: .float32, shape: [4, 2])])
        }
    }

    /// The optimizer keeps values only subgraphs read, and renames them inside subgraphs when it
    /// removes an Identity.
    @Test func optimizerKeepsAndRenamesOuterReferences() throws {
        let source = Self.header("bool c, float[3] x", "float[3] y", opset: 13) + """
        {
           w = Mul (x, x)
           v = Identity (w)
           y = If (c) <then_branch: graph = th () => (float[3] t) { t = Add (x, v) }, else_branch: graph = el () => (float[3] e) { e = Identity (v) }>
        }
        """
        let model = try ONNXTextParser.parseModel(source)
        var graph = model.graph
        #expect(graph.usedValues.contains("v"))
        graph.replaceUses(of: "v", with: "w")
        #expect(graph.nodes.last?.outerReferences == ["w", "x"])
        var dce = model
        #expect(try EliminateDeadCode().run(on: &dce, context: PassContext()) == false)
        let (optimized, _) = try Compiler.optimize(model, level: .full)
        #expect(optimized.graph.nodes.contains { $0.opType == "Mul" })
        let engine = try Engine(model: model, optimization: .full)
        #expect(try Self.floats(engine.run(["c": Tensor(scalar: false), "x": Tensor(shape: [3], scalars: [Float(1), 2, 3])])["y"]) == [1, 4, 9])
    }
}
