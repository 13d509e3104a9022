import Foundation
import Testing

/// `swiftc-infer bench` end to end on tiny models (few runs: debug builds, shared machine;
/// no timing assertions beyond sanity and internal consistency).
@Suite struct BenchCommandTests {
    let mlp = CLI.path("Graphs/models/mlp/model.onnx")

    func jsonObject(_ r: CLI.Result) throws -> [String: Any] {
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        return try #require(object as? [String: Any], "stdout is not one JSON object: \(r.stdout)")
    }

    /// `--blas-bound`: the MLP's three Gemms timed alone, and the ratio of the run to them.
    @Test func blasBoundReportsTheGemmsAlone() throws {
        let object = try jsonObject(try CLI.run(["bench", mlp, "--dim", "N=8", "--iterations", "5", "--warmup", "1",
                                                 "--blas-bound", "--json", "--threads", "1"]))
        let bound = try #require(object["blas_bound"] as? [String: Any], "no blas_bound in \(object.keys.sorted())")
        #expect(bound["gemm_calls"] as? Int == 3)
        #expect(bound["gemm_flops"] as? Int == 2 * 8 * (64 * 128 + 128 * 128 + 128 * 10))
        let ratio = try #require(bound["ratio"] as? Double)
        #expect(ratio > 0 && ratio.isFinite)
        let text = try CLI.run(["bench", mlp, "--dim", "N=8", "--iterations", "3", "--warmup", "1", "--blas-bound"])
        #expect(text.status == 0 && text.stdout.contains("BLAS-bound: 3 GEMM calls"), "\(text.stdout)")
    }

    /// SWIFTC_INFER_SIMD lowers the SIMD kernels' level for the process and the report says so;
    /// a value naming no level is reported as ignored (never silently).
    @Test func simdEnvironmentVariableCapsTheLevelAndIsReported() throws {
        let capped = try CLI.run(["bench", mlp, "--dim", "N=2", "--iterations", "2", "--warmup", "1"],
                                 environment: ["SWIFTC_INFER_SIMD": "baseline"])
        #expect(capped.status == 0, "\(capped.stderr)")
        #expect(capped.stdout.contains("SIMD kernels: baseline"), "\(capped.stdout)")
        let bogus = try CLI.run(["bench", mlp, "--dim", "N=2", "--iterations", "2", "--warmup", "1"],
                                environment: ["SWIFTC_INFER_SIMD": "avx9000"])
        #expect(bogus.status == 0, "\(bogus.stderr)")
        #expect(bogus.stdout.contains("SWIFTC_INFER_SIMD=\"avx9000\" ignored"), "\(bogus.stdout)")
    }

    /// The reduced precisions' flags, the variable that caps their kernel, their report label and
    /// the largest error against fp32 the MLP may show.
    static let reducedPrecisions: [(flags: [String], variable: String, label: String, bound: Double)] = [
        (["--precision", "bf16"], "SWIFTC_INFER_BF16", "bf16", 0.05), (["--quantize", "int8"], "SWIFTC_INFER_INT8", "int8", 0.1),
    ]

    /// `--precision bf16` / `--quantize int8`: the MLP's Gemms run reduced, the report names the
    /// kernel and the error against the model at fp32 (nonzero: the reduced path ran; small: it
    /// is right), the variable set to `portable` forces the fallback, and -O0 is a usage error.
    @Test(arguments: reducedPrecisions.indices)
    func reducedPrecisionReportsItsKernelAndItsErrorAgainstFP32(index: Int) throws {
        let (flags, variable, label, bound) = Self.reducedPrecisions[index]
        for (environment, kernel) in [([String: String](), ""), ([variable: "portable"], "portable C")] {
            let r = try CLI.run(["bench", mlp, "--dim", "N=8", "--iterations", "2", "--warmup", "1"] + flags, environment: environment)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("\(label) GEMM: \(kernel)"), "\(r.stdout)")
            let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("max abs err") }, "no accuracy line: \(r.stdout)")
            let error = try #require(Double(line.split(separator: " ")[4]), "\(line)")
            #expect(error > 0 && error < bound, "\(line)")
            #expect(line.contains("top-1 agreement"), "\(line)")
        }
        let usage = try CLI.run(["bench", mlp, "--dim", "N=2", "-O0"] + flags)
        #expect(usage.status == 2 && usage.stderr.contains("needs -O1 or -O2"), "\(usage.stderr)")
    }

    /// `--quantize int8` beyond the shared checks: the portable kernel's outputs are the chosen
    /// kernel's bit for bit, an unknown SWIFTC_INFER_INT8 is reported as ignored, and
    /// conflicting precision flags are usage errors.
    @Test func int8FallbackIsBitIdenticalAndFlagsConflictByName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("int8-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = CLI.path("Graphs/models/mlp/test_data_set_0/input_0.pb")
        var outputs: [Data] = []
        for (name, environment) in [("best", [String: String]()), ("portable", ["SWIFTC_INFER_INT8": "portable"])] {
            let out = dir.appendingPathComponent(name)
            let r = try CLI.run(["run", mlp, "--quantize", "int8", "--input", "x=\(input)", "--output-dir", out.path], environment: environment)
            #expect(r.status == 0, "\(r.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
            #expect(files.count == 1, "\(files)")
            outputs.append(try Data(contentsOf: out.appendingPathComponent(try #require(files.first))))
        }
        #expect(outputs.count == 2 && outputs[0] == outputs[1], "the portable int8 kernel's outputs differ from the chosen kernel's")
        let bogus = try CLI.run(["bench", mlp, "--dim", "N=2", "--iterations", "2", "--warmup", "1", "--quantize", "int8"],
                                environment: ["SWIFTC_INFER_INT8": "avx9000"])
        #expect(bogus.status == 0 && bogus.stdout.contains("SWIFTC_INFER_INT8=\"avx9000\" ignored"), "\(bogus.stdout)")
        for (arguments, message) in [(["--precision", "int8"], "--quantize int8"),
                                     (["--quantize", "int8", "--precision", "bf16"], "give one")] {
            let usage = try CLI.run(["bench", mlp, "--dim", "N=2"] + arguments)
            #expect(usage.status == 2 && usage.stderr.contains(message), "\(arguments): \(usage.stderr)")
        }
    }

    @Test func jsonSchemaWithComparison() throws {
        let r = try CLI.run(["bench", mlp, "--dim", "N=4", "--iterations", "12", "--warmup", "2", "--compare-unfused", "--json", "--threads", "1"])
        let object = try jsonObject(r)
        #expect(object["model"] as? String == mlp)
        #expect(object["threads"] as? Int == 1)
        #expect((object["blas_core"] as? String)?.isEmpty == false)
        let speedup = try #require(object["speedup_p50"] as? Double)
        #expect(speedup > 0 && speedup.isFinite)
        let keys: Set = ["p50_ms", "p90_ms", "p99_ms", "mean_ms", "min_ms", "max_ms", "iterations", "throughput_per_s",
                         "first_run_ms", "load_ms", "arena_bytes", "peak_rss_bytes", "gflops"]
        for config in ["fused", "unfused"] {
            let c = try #require(object[config] as? [String: Any], "\(config)")
            #expect(Set(c.keys) == keys, "\(config): \(c.keys.sorted())")
            let d = { (k: String) -> Double in c[k] as? Double ?? .nan }
            let ordered: [Double] = ["min_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms"].map(d)
            #expect(ordered == ordered.sorted() && ordered.allSatisfy { $0.isFinite }, "\(c)")
            #expect(c["iterations"] as? Int == 12)
            #expect(d("gflops") > 0 && d("gflops").isFinite)
            #expect(d("throughput_per_s") > 0)
            #expect(d("load_ms") >= 0 && d("first_run_ms") > 0)
            #expect((c["peak_rss_bytes"] as? Int ?? 0) > 1 << 20)
        }
        #expect(((object["fused"] as? [String: Any])?["arena_bytes"] as? Int ?? 0) > 0)
        #expect((object["unfused"] as? [String: Any])?["arena_bytes"] is NSNull, "-O0 has no static plan")
    }

    @Test func textReportAndDirectoryArgument() throws {
        let r = try CLI.run(["bench", CLI.path("Graphs/models/convnet"), "--iterations", "5", "--warmup", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        for fragment in ["p50 ms", "p99 ms", "throughput /s", "GFLOP/s", "arena", "peak RSS", "FLOPs per run", "BLAS: OpenBLAS"] {
            #expect(r.stdout.contains(fragment), "missing \(fragment): \(r.stdout)")
        }
        #expect(r.stderr.isEmpty, "no progress line when stderr is not a terminal: \(r.stderr)")
    }

    @Test func profileNodeTimesAddUpAndTraceIsValid() throws {
        let dir = try CLI.temporaryDirectory()
        let trace = dir.appendingPathComponent("trace.json")
        let r = try CLI.run(["bench", CLI.path("Graphs/models/convnet/model.onnx"), "--iterations", "10", "--warmup", "2",
                             "--profile", "--trace", trace.path, "--compare-unfused", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("per op type"))
        #expect(r.stdout.contains("machine peak: sgemm"))
        // "node times sum: X ms (median P% of a run)" once per configuration, P within 10%.
        let shares = r.stdout.split(separator: "\n").compactMap { line -> Double? in
            guard let range = line.range(of: "ms (median "), line.contains("node times sum") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 != "%" })
        }
        #expect(shares.count == 2, "\(r.stdout)")
        for share in shares { #expect(share >= 90 && share <= 100.5, "node times cover \(share)% of the run") }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: trace)) as? [String: Any]
        let events = try #require(object?["traceEvents"] as? [[String: Any]])
        let complete = events.filter { $0["ph"] as? String == "X" }
        #expect(complete.count > 10)
        for e in complete {
            #expect(e["name"] is String && e["cat"] is String && e["ts"] is Double && e["dur"] is Double)
            #expect(e["pid"] is Int && e["tid"] is Int)
        }
        #expect(Set(complete.compactMap { $0["pid"] as? Int }) == [1, 2], "fused and unfused as two processes")
        #expect(complete.contains { $0["cat"] as? String == "Conv" || $0["cat"] as? String == "swiftinfer.FusedConv" })
    }

    @Test func sweepPrintsOneRowPerValue() throws {
        let r = try CLI.run(["bench", mlp, "--sweep", "N=1,2,8", "--iterations", "5", "--warmup", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").filter { line in ["1 ", "2 ", "8 "].contains { line.hasPrefix($0) } }
        #expect(rows.count == 3, "\(r.stdout)")
        let json = try jsonObject(try CLI.run(["bench", mlp, "--sweep", "N=1,3", "--iterations", "3", "--warmup", "0", "--json"]))
        let sweep = try #require(json["sweep"] as? [[String: Any]])
        #expect(sweep.map { $0["value"] as? Int } == [1, 3])
        #expect(sweep.allSatisfy { ($0["fused"] as? [String: Any])?["p50_ms"] is Double })
    }

    @Test func usageErrors() throws {
        var r = try CLI.run(["bench", mlp])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("symbolic dims N") && r.stderr.contains("--dim N=VALUE"), "\(r.stderr)")
        r = try CLI.run(["bench", mlp, "--sweep", "Q=1,2"])
        #expect(r.status == 2 && r.stderr.contains("not a symbolic input dim"), "\(r.stderr)")
        r = try CLI.run(["bench", mlp, "--sweep", "N=1,x"])
        #expect(r.status == 2, "\(r.stderr)")
        r = try CLI.run(["bench", mlp, "--dim", "N=2", "--iterations", "0"])
        #expect(r.status == 2, "\(r.stderr)")
        r = try CLI.run(["bench", CLI.path("Graphs/no-such-model.onnx")])
        #expect(r.status == 1 && r.errorLines.count == 1, "\(r.stderr)")
    }

    @Test func inputFilesAreUsed() throws {
        let dir = try CLI.temporaryDirectory()
        let x = dir.appendingPathComponent("x.npy")
        try writeNPY(floats: [Float](repeating: 0.5, count: 3 * 64), shape: [3, 64], to: x)
        let r = try CLI.run(["bench", mlp, "--input", "x=\(x.path)", "--iterations", "3", "--warmup", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("x float[3, 64]") && !r.stdout.contains("(random)"), "\(r.stdout)")
    }
}
