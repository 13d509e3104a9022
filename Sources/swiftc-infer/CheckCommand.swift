import ArgumentParser
import Foundation
import InferIR
import InferRuntime

struct CheckCommand: LimitedCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run an ONNX test directory and compare every output with the expected one.",
        discussion: """
        TEST_DIR holds model.onnx (or model.onnxtxt) and test_data_set_*/ folders with input_K.pb and
        output_K.pb (the layout of the ONNX backend tests). Prints PASS or FAIL per data set with the
        largest error; exits 0 only if every data set passes.

        --model runs another model file or a compiled plan against the directory's data sets.
        --max-abs-error E replaces the tolerances (a bf16 plan differs from fp32 by ~1e-2, an
        int8 one by a few 1e-2). --reference MODEL also runs MODEL at fp32 on each data set's
        inputs and prints each output's max and mean absolute error against it (and top-1
        agreement for [rows, classes] outputs); with --precision bf16 or --quantize int8 on a model
        file that is the default, against the model itself at fp32, and for a reduced-precision plan,
        against the file it was compiled from (recorded in the plan) when that is unchanged.

        Examples:
          swiftc-infer check Graphs/models/mlp
          swiftc-infer compile Graphs/models/mlp/model.onnx -o mlp.plan && swiftc-infer check Graphs/models/mlp --model mlp.plan
          swiftc-infer check Graphs/bench/bert_encoder --precision bf16 --max-abs-error 0.05
          swiftc-infer check Graphs/bench/bert_encoder --quantize int8 --max-abs-error 0.1
          swiftc-infer check Graphs/models/mlp --model mlp-int8.plan --reference Graphs/models/mlp/model.onnx
        """
    )

    @OptionGroup var limits: LimitOptions

    @Argument(help: "An ONNX test directory.")
    var testDir: String

    @Option(name: .long, help: ArgumentHelp("Run this model or compiled plan instead of TEST_DIR/model.onnx.", valueName: "MODEL_OR_PLAN"))
    var model: String?

    @Option(name: .long, help: "Relative tolerance.")
    var rtol: Double = 1e-3

    @Option(name: .long, help: "Absolute tolerance.")
    var atol: Double = 1e-5

    @Option(name: .customLong("max-abs-error"), help: ArgumentHelp("Pass when every output's max absolute error is at most E (replaces --rtol/--atol; for reduced-precision plans).", valueName: "E"))
    var maxAbsError: Double?

    @Option(name: .long, help: ArgumentHelp("Also compare with this model run at fp32 on the same inputs (default with --precision bf16 or --quantize int8: the model itself).", valueName: "MODEL"))
    var reference: String?

    @Option(name: .long, help: "Threads for BLAS and kernels (default: all cores).")
    var threads: Int?

    @OptionGroup var optimization: OptimizationOptions

    func run() throws {
        let dir = URL(fileURLWithPath: testDir)
        let fm = FileManager.default
        let modelURL = model.map { URL(fileURLWithPath: $0) } ?? ["model.onnx", "model.onnxtxt"].map { dir.appendingPathComponent($0) }
            .first { fm.fileExists(atPath: $0.path) }
        guard let modelURL else { throw CLIError("\(testDir): no model.onnx or model.onnxtxt") }
        let sets = ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasPrefix("test_data_set_") }.sorted()
        guard !sets.isEmpty else { throw CLIError("\(testDir): no test_data_set_* folders") }
        let engine = try Engine(contentsOf: modelURL, options: optimization.engineOptions(threads: threads))
        let (referenceURL, note) = ReferenceModel.resolve(explicit: reference, model: modelURL, engine: engine,
                                                          precision: optimization.precision)
        if let note { print(note) }
        let fp32 = try referenceURL.map { try Engine(contentsOf: $0, options: Engine.Options(threads: engine.threads, optimization: .full)) }
        var failures = 0
        for set in sets {
            do {
                let (feeds, expected) = try loadDataSet(dir.appendingPathComponent(set), engine: engine)
                let outputs = try engine.run(feeds)
                var worst = 0.0
                var problems: [String] = []
                for (name, want) in expected {
                    guard let got = outputs[name] else { problems.append("output \"\(name)\" not produced"); continue }
                    let cmp = TensorComparison(actual: got, expected: want, rtol: maxAbsError == nil ? rtol : 0, atol: maxAbsError ?? atol)
                    if !cmp.passed {
                        let expectedType = got.dtype == want.dtype ? "" : " (expected \(want.dtype))"
                        problems.append("output \"\(name)\" \(got.dtype)\(got.shape)\(expectedType): \(cmp)")
                    }
                    if cmp.maxAbsoluteError.isFinite || cmp.maxAbsoluteError.isNaN { worst = max(worst, cmp.maxAbsoluteError) } else { worst = .infinity }
                }
                if problems.isEmpty {
                    print("PASS \(set) (\(expected.count) output\(expected.count == 1 ? "" : "s"), max abs err \(String(format: "%.3g", worst)))")
                } else {
                    failures += 1
                    print("FAIL \(set): \(problems.joined(separator: "; "))")
                }
                if let fp32, let referenceURL {
                    let accuracy = AccuracyComparison(outputs: outputs, reference: try fp32.run(feeds))
                    print("  against \(referenceURL.path) at fp32:\n" + accuracy.lines.map { "    \($0)" }.joined(separator: "\n"))
                }
            } catch let error as InferError {
                failures += 1
                print("FAIL \(set): \(error.message)")
            }
        }
        print("check: \(sets.count - failures) of \(sets.count) data sets passed")
        if failures > 0 { throw ExitCode(1) }
    }

    /// Inputs by name (positional when the .pb is unnamed) and expected outputs by name.
    private func loadDataSet(_ url: URL, engine: Engine) throws -> ([String: Tensor], [(String, Tensor)]) {
        func files(_ prefix: String) -> [URL] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
                .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".pb") }
            return names.sorted { (Int($0.dropFirst(prefix.count).dropLast(3)) ?? 0) < (Int($1.dropFirst(prefix.count).dropLast(3)) ?? 0) }
                .map { url.appendingPathComponent($0) }
        }
        let declaredInputs = engine.inputs + engine.optionalInputs
        let requiredInputs = engine.inputs
        var feeds: [String: Tensor] = [:]
        for (k, file) in files("input_").enumerated() {
            let (name, tensor) = try TensorProtoFile.readNamed(file)
            let resolved = !name.isEmpty && declaredInputs.contains { $0.name == name } ? name
                : (k < requiredInputs.count ? requiredInputs[k].name : name)
            feeds[resolved] = tensor
        }
        var expected: [(String, Tensor)] = []
        for (k, file) in files("output_").enumerated() {
            let (name, tensor) = try TensorProtoFile.readNamed(file)
            let outs = engine.outputs
            let resolved = !name.isEmpty && outs.contains { $0.name == name } ? name
                : (k < outs.count ? outs[k].name : name)
            expected.append((resolved, tensor))
        }
        return (feeds, expected)
    }
}
