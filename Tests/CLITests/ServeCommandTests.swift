import Foundation
import Testing

/// `swiftc-infer serve` as a process: Triton's own Python clients, HTTP and gRPC, against it
/// (Tools/serve_check.py: every output checked against ONNX Runtime, concurrent requests, client-visible errors,
/// SIGTERM with a request in flight), and the startup refusals with their exit status.
@Suite struct ServeCommandTests {
    @Test func tritonClientAgreesWithONNXRuntimeAndShutdownIsGraceful() throws {
        let (status, text) = try ServeScripts.run("Tools/serve_check.py")
        #expect(status == 0, "Tools/serve_check.py failed:\n\(text)")
        #expect(text.contains("serve_check: all checks passed"), "\(text)")
    }

    @Test func startupRefusalsNameTheProblem() throws {
        let noModel = try CLI.run(["serve"])
        #expect(noModel.status == 2)
        #expect(noModel.stderr.contains("give at least one MODEL or --model-repository DIR"))

        let missing = try CLI.run(["serve", "ghost=/nonexistent/ghost.onnx", "--http-port", "0"])
        #expect(missing.status == 1)
        #expect(missing.errorLines.count == 1 && missing.stderr.contains("model 'ghost' (/nonexistent/ghost.onnx)"), "\(missing.stderr)")

        let twice = try CLI.run(["serve", CLI.path("Graphs/models/mlp/model.onnx"), "mlp=" + CLI.path("Graphs/mlp.onnxtxt"), "--http-port", "0"])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("two models are named 'mlp'; name one with NAME=PATH"), "\(twice.stderr)")

        let badFlag = try CLI.run(["serve", CLI.path("Graphs/mlp.onnxtxt"), "--max-batch", "0"])
        #expect(badFlag.status == 2 && badFlag.stderr.contains("--max-batch must be in 1...4096"))

        let samePort = try CLI.run(["serve", CLI.path("Graphs/mlp.onnxtxt"), "--http-port", "8100", "--grpc-port", "8100"])
        #expect(samePort.status == 2 && samePort.stderr.contains("--http-port and --grpc-port are both 8100"), "\(samePort.stderr)")

        let repository = FileManager.default.temporaryDirectory.appendingPathComponent("serve-repo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: repository) }
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("mlp/1"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.path("Graphs/models/mlp/model.onnx"), toPath: repository.appendingPathComponent("mlp/1/model.onnx").path)
        try "max_batch_size: 4\ndynamic_batching { max_queue_delay_microseconds: oops }\n"
            .write(to: repository.appendingPathComponent("mlp/config.pbtxt"), atomically: true, encoding: .utf8)
        let badConfig = try CLI.run(["serve", "--model-repository", repository.path, "--http-port", "0"])
        #expect(badConfig.status == 1)
        #expect(badConfig.stderr.contains("config.pbtxt: dynamic_batching.max_queue_delay_microseconds is 'oops'"), "\(badConfig.stderr)")
    }
}

/// deploy/: the KServe manifests and the Dockerfile against the server's real flags and routes
/// (Tools/check_deploy.py; no Docker engine or cluster here).
@Suite struct DeployManifestTests {
    @Test func manifestsAndDockerfileMatchTheServer() throws {
        let (status, text) = try ServeScripts.run("Tools/check_deploy.py")
        #expect(status == 0, "Tools/check_deploy.py failed:\n\(text)")
        #expect(text.contains("check_deploy: all checks passed"), "\(text)")
    }
}

/// The Python checks of the server (they start it themselves, from the built binary).
enum ServeScripts {
    /// Runs `python3 SCRIPT --binary <built swiftc-infer>`; returns its exit status and output.
    static func run(_ script: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.path(script), "--binary", CLI.binary.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
