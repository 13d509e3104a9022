import Foundation
import Testing
import InferIR
import InferRuntime

/// `compile --print-ir` / `--print-ir-full` / `--emit-onnx`: the short IR elides large tensors,
/// the full IR parses back to the optimized model, and the emitted ONNX file passes
/// `onnx.checker`, reproduces the source model's outputs in swiftc-infer, and (at -O1, standard
/// ops only) in ONNX Runtime too (checked by Tools/check_onnx_file.py, a real onnxruntime).
@Suite struct EmitONNXTests {
    static let models = ["convnet", "encoder", "decoder"]

    @Test(arguments: models) func emittedONNXRunsAndChecks(model name: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = CLI.path("Graphs/models/\(name)/model.onnx"), testDir = CLI.path("Graphs/models/\(name)")
        for level in ["-O1", "-O2"] {
            let file = dir.appendingPathComponent("\(name)\(level).onnx").path
            let r = try CLI.run(["compile", source, "--emit-onnx", file, level])
            #expect(r.status == 0, "\(name) \(level): \(r.stderr)")
            #expect(r.stdout.contains("(ONNX)"), "\(r.stdout)")
            // Loaded back into swiftc-infer (as the graph as imported: -O0), the source model's data sets pass.
            let check = try CLI.run(["check", testDir, "--model", file, "-O0", "--atol", "1e-4"])
            #expect(check.status == 0, "\(name) \(level) emitted, check: \(check.stdout)\(check.stderr)")
            var args = ["Tools/check_onnx_file.py", file]
            if level == "-O1" { args += ["--ort", testDir, "--atol", "1e-4"] }
            let python = try Self.python(args)
            #expect(python.status == 0 && python.output.hasPrefix("PASS"), "\(name) \(level): \(python.output)")
        }
    }

    @Test func printIRElidesLargeTensorsAndFullIRParsesBack() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = CLI.path("Graphs/models/encoder/model.onnx")
        let short = try CLI.run(["compile", source, "-o", dir.appendingPathComponent("e.plan").path, "--print-ir"])
        #expect(short.status == 0, "\(short.stderr)")
        // The encoder's 64x64 projections are elided, small shape constants are not.
        #expect(short.stdout.contains("= {...}"))
        #expect(Self.largestPrintedTensor(short.stdout) <= 64)
        #expect(Self.largestPrintedTensor(short.stdout) > 0, "small tensors still print their values")
        let emitted = dir.appendingPathComponent("e.onnx").path
        let full = try CLI.run(["compile", source, "--emit-onnx", emitted, "--print-ir-full"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(!full.stdout.contains("{...}"))
        #expect(full.stdout.count > 4 * short.stdout.count, "full \(full.stdout.count) vs short \(short.stdout.count) characters")
        // stdout is the IR, then the one "wrote ..." line.
        let ir = try #require(full.stdout.range(of: "\nwrote ", options: .backwards)).lowerBound
        let parsed = try ONNXTextParser.parseModel(String(full.stdout[..<ir]))
        let written = try ModelLoader.load(URL(fileURLWithPath: emitted))
        #expect(parsed.graph.nodes == written.graph.nodes)
        #expect(parsed.graph.initializers == written.graph.initializers)
        #expect(parsed.graph.inputs == written.graph.inputs && parsed.graph.outputs == written.graph.outputs)
    }

    @Test func compileNeedsSomethingToWrite() throws {
        let r = try CLI.run(["compile", CLI.path("Graphs/models/mlp/model.onnx")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("give -o PLAN, --emit-onnx FILE, or both"), "\(r.stderr)")
    }

    /// The most elements any tensor value `= {a,b,...}` in the text prints (`{...}` counts 0).
    static func largestPrintedTensor(_ text: String) -> Int {
        var largest = 0
        var rest = text[...]
        while let open = rest.range(of: "= {") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            let body = rest[open.upperBound..<close]
            if body != "..." { largest = max(largest, body.split(separator: ",").count) }
            rest = rest[close...]
        }
        return largest
    }

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = CLI.packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
