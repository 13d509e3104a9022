import Foundation
import Testing

/// One test per resource limit, through the binary: a model that asks for more than the limit
/// fails with exit status 1 and exactly the expected line (what was asked for, the limit, how to
/// raise it), and the process's peak RSS shows nothing of that size was allocated.
@Suite struct ResourceLimitTests {
    static let mib = 1 << 20

    /// Writes `text` as model.onnxtxt in a fresh folder, and `inputs` beside it as .npy files.
    func model(_ text: String, inputs: [String: (descr: String, payload: Data, shape: [Int])] = [:]) throws -> (model: URL, inputArgs: [String]) {
        let dir = try CLI.temporaryDirectory()
        let url = dir.appendingPathComponent("model.onnxtxt")
        try ("<ir_version: 8, opset_import: [\"\" : 17]>\n" + text).write(to: url, atomically: true, encoding: .utf8)
        var args: [String] = []
        for (name, input) in inputs.sorted(by: { $0.key < $1.key }) {
            let file = dir.appendingPathComponent("\(name).npy")
            try writeNPY(descr: input.descr, payload: input.payload, shape: input.shape, to: file)
            args += ["--input", "\(name)=\(file.path)"]
        }
        return (url, args)
    }

    func int64s(_ values: [Int64]) -> Data { values.withUnsafeBytes { Data($0) } }

    func expectRefusal(_ r: CLI.Result, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 1, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.errorLines.map(String.init) == [expected], "got: \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func tensorLimitRefusesAnOutputSizedAtRunTime() throws {
        // The shape arrives with the request: 16384 x 16384 floats = 1 GiB.
        let (url, inputs) = try model("g (float[1] x, int64[2] s) => (float[?,?] y) { y = Expand (x, s) }",
                                      inputs: ["x": ("<f4", Data(count: 4), [1]), "s": ("<i8", int64s([16384, 16384]), [2])])
        let out = try CLI.temporaryDirectory()
        let (r, peak) = try CLI.runMeasuringPeakRSS(["run", url.path, "--output-dir", out.path, "--max-tensor-bytes", "256M"] + inputs)
        expectRefusal(r, "error: node producing \"y\" (Expand, opset 17): output float[16384, 16384] needs 1 GiB, over the "
                      + "268435456 bytes (256.00 MiB) tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes")
        #expect(peak < 256 * Self.mib, "peak RSS \(peak >> 20) MiB")
    }

    @Test func arenaLimitRefusesAPlanBeforeAllocatingIt() throws {
        // Two live 256 MiB intermediates: the -O2 plan's arena is over 512 MiB.
        let (url, inputs) = try model("""
            g (float[1] x) => (float[67108864] z) <int64[1] s = {67108864}> {
                y = Expand (x, s)
                z = Relu (y)
            }
            """, inputs: ["x": ("<f4", Data(count: 4), [1])])
        let out = try CLI.temporaryDirectory()
        let (r, peak) = try CLI.runMeasuringPeakRSS(["run", url.path, "-O2", "--output-dir", out.path, "--max-arena-bytes", "128M"] + inputs)
        expectRefusal(r, "error: the static plan needs an arena of 536870912 bytes (512.00 MiB), over the 134217728 bytes (128.00 MiB) "
                      + "arena limit; raise it with --max-arena-bytes or Engine.Options.limits.maxArenaBytes")
        // Allocating the refused arena would take 512 MiB; the process peaks at ~37 MiB. (The
        // 155 MiB once seen in a full parallel run was the test process's own RSS leaking into
        // the measurement; see `runMeasuringPeakRSS`.)
        #expect(peak < 128 * Self.mib, "peak RSS \(peak >> 20) MiB")
    }

    @Test func nodeLimitRefusesALargeGraph() throws {
        let nodes = (1...1001).map { "v\($0) = Identity (v\($0 - 1))" }.joined(separator: "\n")
        let (url, _) = try model("g (float[1] v0) => (float[1] v1001) {\n\(nodes)\n}")
        expectRefusal(try CLI.run(["inspect", url.path, "--max-nodes", "1000"]),
                      "error: the model has 1001 nodes or more, over the limit of 1000; raise it with --max-nodes or Engine.Options.limits.maxNodes")
        #expect(try CLI.run(["inspect", url.path, "--max-nodes", "1001"]).status == 0)
    }

    @Test func nestingLimitStopsTheParserBeforeItRecurses() throws {
        // Five If levels inside the main graph; the limit allows four.
        var body = "t = Identity (x)"
        for level in (1...5).reversed() {
            body = "t = If (c) <then_branch: graph = b\(level) () => (float[1] t) { \(body) }, "
                + "else_branch: graph = e\(level) () => (float[1] t) { t = Identity (x) }>"
        }
        let (url, _) = try model("g (bool c, float[1] x) => (float[1] t) {\n\(body)\n}")
        let r = try CLI.run(["inspect", url.path, "--max-nesting", "4"])
        #expect(r.status == 1)
        #expect(r.errorLines.count == 1)
        #expect(r.stderr.hasPrefix("error: \(url.path): line 3, column"), "\(r.stderr)")
        #expect(r.stderr.hasSuffix(": the model nests subgraphs 5 levels deep, over the limit of 4; raise it with --max-nesting or Engine.Options.limits.maxNesting\n"),
                "\(r.stderr)")
        #expect(try CLI.run(["inspect", url.path, "--max-nesting", "5"]).status == 0)
    }

    static let endlessLoop = """
        g (float[1] v) => (float[1] out, float[?,262144] trail) <bool c = {1}, int64[1] width = {262144}> {
            out, trail = Loop ("", c, v) <body: graph = body (int64 i, bool ci, float[1] vi) => (bool co, float[1] vo, float[262144] row) {
                co = Identity (ci)
                vo = Identity (vi)
                row = Expand (vi, width)
            }>
        }
        """

    @Test func loopIterationLimitStopsAnEndlessLoop() throws {
        let (url, inputs) = try model(Self.endlessLoop, inputs: ["v": ("<f4", Data(count: 4), [1])])
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["run", url.path, "--output-dir", out.path, "--max-loop-iterations", "100"] + inputs, timeout: 60)
        expectRefusal(r, "error: node producing \"out\" (Loop, opset 17): the loop (trip count none) reaches 101 iterations, over the limit of 100; "
                      + "raise it with --max-loop-iterations or Engine.Options.limits.maxLoopIterations")
    }

    @Test func tensorLimitBoundsWhatALoopAccumulates() throws {
        // Each iteration adds a 1 MiB row to the scan output: the limit stops it at 64 MiB.
        let (url, inputs) = try model(Self.endlessLoop, inputs: ["v": ("<f4", Data(count: 4), [1])])
        let out = try CLI.temporaryDirectory()
        let (r, peak) = try CLI.runMeasuringPeakRSS(["run", url.path, "--output-dir", out.path, "--max-tensor-bytes", "64M"] + inputs,
                                                    timeout: 120)
        expectRefusal(r, "error: node producing \"out\" (Loop, opset 17): the scan outputs so far needs 68157440 bytes (65.00 MiB), "
                      + "over the 67108864 bytes (64.00 MiB) tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes")
        #expect(peak < 256 * Self.mib, "peak RSS \(peak >> 20) MiB")
    }

    @Test func timeoutStopsARunThatTakesTooLong() throws {
        let (url, inputs) = try model(Self.endlessLoop.replacingOccurrences(of: "262144", with: "4"), inputs: ["v": ("<f4", Data(count: 4), [1])])
        let out = try CLI.temporaryDirectory()
        let start = Date()
        let r = try CLI.run(["run", url.path, "--output-dir", out.path, "--timeout", "1", "--max-loop-iterations", "1000000000"] + inputs,
                            timeout: 60)
        let elapsed = Date().timeIntervalSince(start)
        expectRefusal(r, "error: node producing \"out\" (Loop, opset 17): the run took longer than the 1.0 s time limit; "
                      + "raise it with --timeout or Engine.Options.limits.timeout")
        #expect(elapsed < 10, "took \(elapsed) s")
    }

    @Test func badLimitFlagsAreUsageErrors() throws {
        #expect(try CLI.run(["inspect", CLI.path("Graphs/mlp.onnxtxt"), "--max-tensor-bytes", "lots"]).status == 2)
        #expect(try CLI.run(["inspect", CLI.path("Graphs/mlp.onnxtxt"), "--max-nesting", "100000"]).status == 2)
        #expect(try CLI.run(["inspect", CLI.path("Graphs/mlp.onnxtxt"), "--timeout", "0"]).status == 2)
        #expect(try CLI.run(["inspect", CLI.path("Graphs/mlp.onnxtxt"), "--max-tensor-bytes", "8G"]).status == 0)
    }
}
