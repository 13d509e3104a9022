import Foundation
import Testing
import InferIR
import InferRuntime

/// `compile` end to end through the binary: plans run bit-identically to their source model,
/// damaged plans are refused with status 1 and one stderr line, and the report is sane.
@Suite struct CompilePlanTests {
    static let models = ["mlp", "convnet", "encoder", "decoder"]

    /// `--input NAME=FILE` arguments for the first data set of a model directory.
    static func inputArguments(_ name: String) throws -> [String] {
        let dir = URL(fileURLWithPath: CLI.path("Graphs/models/\(name)"))
        let engine = try Engine(contentsOf: dir.appendingPathComponent("model.onnx"), threads: 1, optimization: .none)
        let set = dir.appendingPathComponent("test_data_set_0")
        let files = try FileManager.default.contentsOfDirectory(atPath: set.path).filter { $0.hasPrefix("input_") }.sorted()
        var args: [String] = []
        for (k, file) in files.enumerated() {
            let url = set.appendingPathComponent(file)
            let stored = try TensorProtoFile.readNamed(url).name
            let name = engine.inputs.contains { $0.name == stored } ? stored : engine.inputs[k].name
            args += ["--input", "\(name)=\(url.path)"]
        }
        return args
    }

    /// Every output file of a `run`, by file name.
    static func outputs(in dir: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            result[name] = try Data(contentsOf: dir.appendingPathComponent(name))
        }
        return result
    }

    @Test(arguments: models, ["-O0", "-O1", "-O2"])
    func planRunsBitIdenticalToModel(model name: String, level: String) throws {
        let dir = try CLI.temporaryDirectory()
        let plan = dir.appendingPathComponent("\(name).plan").path
        let source = CLI.path("Graphs/models/\(name)/model.onnx")
        let compiled = try CLI.run(["compile", source, "-o", plan, level])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        let inputs = try Self.inputArguments(name)
        let fromModel = dir.appendingPathComponent("from-model"), fromPlan = dir.appendingPathComponent("from-plan")
        let a = try CLI.run(["run", source, level, "--output-dir", fromModel.path] + inputs)
        let b = try CLI.run(["run", plan, "--output-dir", fromPlan.path] + inputs)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        let want = try Self.outputs(in: fromModel), got = try Self.outputs(in: fromPlan)
        #expect(!want.isEmpty)
        #expect(want == got, "\(name) \(level): plan outputs differ from the model's")
        // `check` accepts the plan too.
        let check = try CLI.run(["check", CLI.path("Graphs/models/\(name)"), "--model", plan])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func damagedPlansAreRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let planURL = dir.appendingPathComponent("encoder.plan")
        let compiled = try CLI.run(["compile", CLI.path("Graphs/models/encoder/model.onnx"), "-o", planURL.path])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        let good = try Data(contentsOf: planURL)
        // Section offsets from the header (graph = first entry, weights = last).
        func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(good[at + $1]) << (8 * $1) } }
        let versionLength = Int(good[40]) | Int(good[41]) << 8
        let graphStart = u64(44 + versionLength + 8), graphLength = u64(44 + versionLength + 16)
        let weightsStart = u64(44 + versionLength + 3 * 24 + 8), weightsLength = u64(44 + versionLength + 3 * 24 + 16)
        let headerLength = Int(good[12]) | Int(good[13]) << 8
        var cases: [(String, Data, String)] = []
        for cut in [9, 16, 31, 33, 50, headerLength - 1, graphStart + 10, graphStart + graphLength / 2,
                    weightsStart + 1, weightsStart + weightsLength / 3, weightsStart + weightsLength / 2, good.count - 1] {
            cases.append(("cut at \(cut)", good.prefix(cut), "truncated"))
        }
        for (label, at) in [("header", 36), ("header", headerLength - 20), ("graph", graphStart + graphLength / 3),
                            ("weights", weightsStart), ("weights", weightsStart + weightsLength - 1)] {
            var b = good
            b[at] ^= 0x04
            cases.append(("flip in \(label) at \(at)", b, "checksum"))
        }
        var magic = good; magic[3] = UInt8(ascii: "x")
        cases.append(("wrong magic", magic, "not a swiftc-infer plan"))
        var version = good; version[8] &+= 1
        cases.append(("version bumped", version, "plan format \(PlanFormat.version + 1), this build reads \(PlanFormat.version)"))
        for (i, (label, bytes, fragment)) in cases.enumerated() {
            let file = dir.appendingPathComponent("bad\(i).plan")
            try bytes.write(to: file)
            let args = i % 2 == 0 ? ["inspect", file.path] : ["run", file.path, "--output-dir", dir.path]
            let r = try CLI.run(args)
            #expect(r.status == 1, "\(label): status \(r.status) \(r.stderr)")
            #expect(r.errorLines.count == 1, "\(label): \(r.stderr)")
            #expect(r.stderr.contains(fragment), "\(label): \(r.stderr)")
        }
    }

    @Test(arguments: models)
    func jsonReportIsSane(model name: String) throws {
        let dir = try CLI.temporaryDirectory()
        let plan = dir.appendingPathComponent("m.plan").path
        let r = try CLI.run(["compile", CLI.path("Graphs/models/\(name)/model.onnx"), "-o", plan, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let before = try #require(object["nodes_before"] as? Int), after = try #require(object["nodes_after"] as? Int)
        #expect(after <= before && after > 0)
        let ops = try #require(object["ops_after"] as? [String: Int])
        #expect(ops.values.reduce(0, +) == after)
        #expect(object["fusions"] is [String: Int])
        let passes = try #require(object["passes"] as? [[String: Any]])
        #expect(!passes.isEmpty && passes.allSatisfy { $0["name"] is String && $0["ms"] is Double && $0["nodes_after"] is Int })
        #expect((passes.last?["nodes_after"] as? Int) == after)
        let arena = try #require(object["arena_bytes"] as? Int), unplanned = try #require(object["unplanned_bytes"] as? Int)
        let lower = try #require(object["lower_bound_bytes"] as? Int)
        #expect(arena <= unplanned && arena >= lower && lower > 0)
        #expect(Double(arena) <= 1.10 * Double(lower), "\(name): arena \(arena) vs lower bound \(lower)")
        let planBytes = try #require(object["plan_bytes"] as? Int)
        #expect(planBytes == (try FileManager.default.attributesOfItem(atPath: plan)[.size] as? Int))
        #expect((object["compile_ms"] as? Double ?? -1) > 0)
    }

    @Test func reportPrintIRExplainAndInspect() throws {
        let dir = try CLI.temporaryDirectory()
        let plan = dir.appendingPathComponent("c.plan").path
        let r = try CLI.run(["compile", CLI.path("Graphs/models/convnet/model.onnx"), "-o", plan, "--report", "--print-ir", "--explain"])
        #expect(r.status == 0, "\(r.stderr)")
        for fragment in ["passes", "fold-constants", "fusions applied", "memory plan", "arena", "unplanned sum", "lower bound",
                         "fusion decisions (one per candidate node)", "=> ("] {
            #expect(r.stdout.contains(fragment), "missing \(fragment)")
        }
        let inspect = try CLI.run(["inspect", plan])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("plan: format \(PlanFormat.version), written by swiftc-infer"))
        #expect(inspect.stdout.contains("program:"))
        // -O0 has no passes but still writes a runnable plan.
        let o0 = try CLI.run(["compile", CLI.path("Graphs/models/mlp/model.onnx"), "-o", plan, "-O0", "--report"])
        #expect(o0.status == 0 && o0.stdout.contains("(none at -O0)"), "\(o0.stdout)\(o0.stderr)")
        // Usage errors exit 2.
        #expect(try CLI.run(["compile", CLI.path("Graphs/models/mlp/model.onnx")]).status == 2)
    }

    /// `--report` names each convolution's algorithm, as `Convolution.algorithm` picks it for the
    /// bound shapes: Winograd for a 3x3 stride-1 layer with 42 tiles, im2col for the stride-2 one.
    @Test func reportNamesTheConvolutionAlgorithms() throws {
        let dir = try CLI.temporaryDirectory()
        let plan = dir.appendingPathComponent("w.plan").path
        let winograd = try CLI.run(["compile", CLI.path("Graphs/diff/conv_winograd/model.onnx"), "-o", plan, "--report"])
        #expect(winograd.status == 0, "\(winograd.stderr)")
        #expect(winograd.stdout.contains("convolution algorithms (winograd 1)"), "\(winograd.stdout)")
        let strided = try CLI.run(["compile", CLI.path("Graphs/diff/conv_strided/model.onnx"), "-o", plan, "--report", "--json"])
        #expect(strided.status == 0, "\(strided.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(strided.stdout.utf8)) as? [String: Any]
        let algorithms = try #require(object?["conv_algorithms"] as? [String: String], "\(strided.stdout)")
        #expect(Array(algorithms.values) == ["im2col"], "\(algorithms)")
    }
}

/// A plan records the file and precision it was compiled from (its provenance section), and
/// `check` / `bench` use it: an int8 plan is compared with its fp32 source by default, a
/// `--reference` that is not that file is named as such, and a source that changed since is
/// not silently used.
@Suite struct PlanProvenanceTests {
    @Test func reducedPrecisionPlansAreComparedWithTheirSource() throws {
        let dir = try CLI.temporaryDirectory()
        let source = dir.appendingPathComponent("mlp.onnx")
        try FileManager.default.copyItem(atPath: CLI.path("Graphs/models/mlp/model.onnx"), toPath: source.path)
        let plan = dir.appendingPathComponent("mlp-int8.plan").path
        let compiled = try CLI.run(["compile", source.path, "--quantize", "int8", "-o", plan])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        let inspect = try CLI.run(["inspect", plan])
        #expect(inspect.stdout.contains("compiled from \(source.path)") && inspect.stdout.contains("at int8"), "\(inspect.stdout)")

        let testDir = CLI.path("Graphs/models/mlp")
        let check = try CLI.run(["check", testDir, "--model", plan, "--max-abs-error", "0.1"])
        #expect(check.status == 0 && check.stdout.contains("against \(source.path) at fp32"), "\(check.stdout)\(check.stderr)")
        let line = try #require(check.stdout.split(separator: "\n").first { $0.contains("max abs err") && $0.contains("top-1") }, "\(check.stdout)")
        let error = try #require(Double(line.split(separator: " ")[4]), "\(line)")
        #expect(error > 0 && error < 0.1, "\(line)")

        let other = try CLI.run(["check", testDir, "--model", plan, "--max-abs-error", "0.1", "--reference", CLI.path("Graphs/models/mlp/model.onnx")])
        #expect(other.status == 0, "\(other.stdout)\(other.stderr)")
        // The same bytes under another path is the same model: no note.
        #expect(!other.stdout.contains("is not the file"), "\(other.stdout)")

        // The source changes: the plan's recorded checksum no longer matches, so no silent comparison.
        try Data("changed".utf8).write(to: source)
        let stale = try CLI.run(["bench", plan, "--dim", "N=2", "--iterations", "2", "--warmup", "1"])
        #expect(stale.status == 0 && stale.stdout.contains("missing or changed") && !stale.stdout.contains("accuracy against"), "\(stale.stdout)")
        let named = try CLI.run(["bench", plan, "--dim", "N=2", "--iterations", "2", "--warmup", "1", "--reference", CLI.path("Graphs/models/encoder/model.onnx")])
        #expect(named.stdout.contains("is not the file this plan was compiled from") || named.status != 0, "\(named.stdout)\(named.stderr)")
    }
}
