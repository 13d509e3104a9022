import Foundation
import Testing
@testable import InferRuntime
@testable import InferServe

/// The KServe v2 REST protocol over real HTTP (an in-process server on a loopback port, a
/// URLSession client): routes, metadata, JSON and binary inference checked against the
/// model's ONNX Runtime reference output, and each error with its status and
/// `{"error": "..."}` body.
@Suite(.serialized) struct HTTPProtocolTests {
    static let dataSet = ServerHarness.root.appendingPathComponent("Graphs/models/mlp/test_data_set_0")

    /// The test data set's input and ONNX Runtime's output for it.
    static func reference() throws -> (x: Tensor, y: [Float]) {
        let x = try TensorProtoFile.read(dataSet.appendingPathComponent("input_0.pb"))
        let y = try TensorProtoFile.read(dataSet.appendingPathComponent("output_0.pb")).scalars(as: Float.self)
        return (x, y)
    }

    static func expectClose(_ got: [Float], _ want: [Float], _ what: String) {
        #expect(got.count == want.count, "\(what): \(got.count) values, expected \(want.count)")
        let worst = zip(got, want).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? .infinity
        #expect(worst < 1e-4, "\(what): differs from the ONNX Runtime reference by \(worst)")
        #expect(Set(got).count > 1, "\(what): constant output")
    }

    @Test func healthMetadataAndReadiness() async throws {
        let harness = try await ServerHarness()
        let live = try await harness.request("GET", "/v2/health/live")
        let ready = try await harness.request("GET", "/v2/health/ready")
        #expect(live.status == 200 && ready.status == 200)
        let server = try await harness.request("GET", "/v2")
        #expect(server.json["name"] as? String == "swiftc-infer")
        #expect((server.json["extensions"] as? [String])?.contains("binary_tensor_data") == true)
        let model = try await harness.request("GET", "/v2/models/mlp")
        #expect(model.status == 200)
        #expect(model.json["versions"] as? [String] == ["1"])
        let inputs = model.json["inputs"] as? [[String: Any]]
        #expect(inputs?.first?["name"] as? String == "x")
        #expect(inputs?.first?["datatype"] as? String == "FP32")
        #expect(inputs?.first?["shape"] as? [Int] == [-1, 64])
        #expect(((model.json["outputs"] as? [[String: Any]])?.first?["shape"] as? [Int]) == [-1, 10])
        #expect(try await harness.request("GET", "/v2/models/mlp/versions/1/ready").status == 200)
        await harness.stop()
    }

    @Test func jsonInferenceMatchesTheReference() async throws {
        let harness = try await ServerHarness()
        let (x, y) = try Self.reference()
        let body: [String: Any] = [
            "id": "request-7",
            "inputs": [["name": "x", "datatype": "FP32", "shape": x.shape, "data": try x.scalars(as: Float.self).map(Double.init)]],
        ]
        let reply = try await harness.post("/v2/models/mlp/infer", json: body)
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.headers["content-type"] == "application/json")
        #expect(reply.json["id"] as? String == "request-7")
        #expect(reply.json["model_name"] as? String == "mlp")
        let output = (reply.json["outputs"] as? [[String: Any]])?.first
        #expect(output?["name"] as? String == "logits")
        #expect(output?["shape"] as? [Int] == [x.shape[0], 10])
        Self.expectClose(((output?["data"] as? [Double]) ?? []).map { Float($0) }, y, "JSON output")
        await harness.stop()
    }

    @Test func binaryInferenceMatchesTheReference() async throws {
        let harness = try await ServerHarness()
        let (x, y) = try Self.reference()
        let header = try JSONSerialization.data(withJSONObject: [
            "inputs": [["name": "x", "datatype": "FP32", "shape": x.shape, "parameters": ["binary_data_size": x.byteCount]]],
            "outputs": [["name": "logits", "parameters": ["binary_data": true]]],
        ])
        let reply = try await harness.request("POST", "/v2/models/mlp/infer", body: header + Data(x.bytes),
                                              headers: ["Inference-Header-Content-Length": String(header.count)])
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.headers["content-type"] == "application/octet-stream")
        let jsonLength = Int(reply.headers["inference-header-content-length"] ?? "") ?? -1
        #expect(jsonLength > 0 && jsonLength < reply.body.count)
        let json = (try? JSONSerialization.jsonObject(with: reply.body.prefix(max(jsonLength, 0)))) as? [String: Any]
        let output = (json?["outputs"] as? [[String: Any]])?.first
        let size = (output?["parameters"] as? [String: Any])?["binary_data_size"] as? Int
        #expect(size == y.count * 4 && reply.body.count == jsonLength + y.count * 4)
        let values = reply.body.dropFirst(max(jsonLength, 0)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        Self.expectClose(values, y, "binary output")
        await harness.stop()
    }

    @Test func errorsCarryTheirStatusAndAMessage() async throws {
        var options = ServeOptions()
        options.maxRequestBytes = 4096
        let harness = try await ServerHarness(models: ["mlp=" + ServerHarness.mlp], options: options)
        func input(_ shape: [Int], _ datatype: String = "FP32", name: String = "x") -> [String: Any] {
            ["inputs": [["name": name, "datatype": datatype, "shape": shape, "data": [Double](repeating: 1, count: shape.reduce(1, *))]]]
        }
        let cases: [(String, String, Data?, Int, String)] = [
            ("GET", "/v2/models/resnet", nil, 404, "unknown model 'resnet'; serving mlp"),
            ("GET", "/v2/models/mlp/versions/2", nil, 404, "model 'mlp' has no version '2'; serving version 1"),
            ("GET", "/v2/models/mlp/versions/2/ready", nil, 404, "model 'mlp' has no version '2'; serving version 1"),
            ("GET", "/v3/anything", nil, 404, "no route GET /v3/anything"),
            ("POST", "/v2/models/mlp/infer", Data("{\"inputs\": 5}".utf8), 400, "request needs a non-empty 'inputs' array"),
            ("POST", "/v2/models/mlp/infer", try JSONSerialization.data(withJSONObject: input([1, 63])), 400, "model 'mlp': input \"x\" dim 1 is 63, expected 64 (declared float[N,64], got [1, 63])"),
            ("POST", "/v2/models/mlp/infer", try JSONSerialization.data(withJSONObject: input([1, 64], "INT32")), 400, "model 'mlp': input \"x\" is int32, expected float"),
            ("POST", "/v2/models/mlp/infer", try JSONSerialization.data(withJSONObject: input([64])), 400, "model 'mlp': input \"x\" has shape [64] (rank 1), expected float[N,64] (rank 2)"),
            ("POST", "/v2/models/mlp/infer", try JSONSerialization.data(withJSONObject: input([1, 64], name: "y")), 400, "model 'mlp': unknown input \"y\"; expected x: float[N,64]"),
            ("POST", "/v2/models/mlp/infer", try JSONSerialization.data(withJSONObject: input([40, 64])), 413, "request body is over the 4096-byte limit (--max-request-bytes)"),
        ]
        let good = try JSONSerialization.data(withJSONObject: input([2, 64]))
        for (method, path, body, status, message) in cases {
            let reply = try await harness.request(method, path, body: body)
            #expect(reply.status == status, "\(method) \(path): \(reply.status) \(reply.text)")
            #expect(reply.json["error"] as? String == message, "\(method) \(path): \(reply.text)")
            // The server keeps serving after every refusal.
            let next = try await harness.request("POST", "/v2/models/mlp/infer", body: good)
            #expect(next.status == 200, "after \(method) \(path): \(next.status) \(next.text)")
        }
        // The binary extension: a truncated binary section, a size that does not match the shape.
        func binary(_ size: Int, bytes: Int) throws -> (Data, String) {
            let header = try JSONSerialization.data(withJSONObject: ["inputs": [["name": "x", "datatype": "FP32", "shape": [1, 64],
                                                                                   "parameters": ["binary_data_size": size]]]])
            return (header + Data(count: bytes), String(header.count))
        }
        for (size, bytes, message) in [(256, 100, "input 'x': binary_data_size 256 runs past the end of the body (100 bytes left)"),
                                       (252, 252, "input 'x': binary_data_size is 252 bytes but FP32 [1, 64] needs 256")] {
            let (body, length) = try binary(size, bytes: bytes)
            let reply = try await harness.request("POST", "/v2/models/mlp/infer", body: body, headers: ["Inference-Header-Content-Length": length])
            #expect(reply.status == 400 && reply.json["error"] as? String == message, "\(reply.text)")
        }
        // A deadline of 1 us has passed by the time any instance thread looks at the request.
        var late = input([1, 64])
        late["parameters"] = ["timeout": 1]
        let expired = try await harness.post("/v2/models/mlp/infer", json: late)
        #expect(expired.status == 504, "\(expired.text)")
        #expect((expired.json["error"] as? String)?.hasPrefix("request timed out after waiting") == true, "\(expired.text)")
        var unknownOutput = input([1, 64])
        unknownOutput["outputs"] = [["name": "probabilities"]]
        let reply = try await harness.post("/v2/models/mlp/infer", json: unknownOutput)
        #expect(reply.status == 400)
        #expect(reply.json["error"] as? String == "unknown output 'probabilities' requested; model 'mlp' has logits")
        await harness.stop()
    }

    @Test func metricsCountSuccessesFailuresAndRuns() async throws {
        let harness = try await ServerHarness()
        let (x, _) = try Self.reference()
        let good: [String: Any] = ["inputs": [["name": "x", "datatype": "FP32", "shape": x.shape, "data": try x.scalars(as: Float.self).map(Double.init)]]]
        let bad: [String: Any] = ["inputs": [["name": "x", "datatype": "FP32", "shape": [1, 2], "data": [1, 2]]]]
        for body in [good, good, bad] { _ = try await harness.post("/v2/models/mlp/infer", json: body) }
        let reply = try await harness.request("GET", "/metrics")
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"]?.hasPrefix("text/plain") == true)
        let labels = "{model=\"mlp\",version=\"1\"}"
        #expect(MetricsText.value(reply.text, "nv_inference_request_success" + labels) == 2, "\(reply.text)")
        #expect(MetricsText.value(reply.text, "nv_inference_request_failure" + labels) == 1)
        #expect(MetricsText.value(reply.text, "nv_inference_count" + labels) == Double(2 * x.shape[0]))
        #expect(MetricsText.value(reply.text, "nv_inference_exec_count" + labels) == 2)
        #expect(MetricsText.value(reply.text, "swiftc_infer_request_duration_seconds_count" + labels) == 2)
        #expect(reply.text.contains("# TYPE swiftc_infer_batch_rows histogram"))
        await harness.stop()
    }
}

/// A Triton model repository over HTTP: the highest of two versions is served, the other is
/// unknown, config.pbtxt's batching and instance count are applied, and two instances answer
/// many concurrent requests each with its own rows.
@Suite(.serialized) struct ModelRepositoryServingTests {
    @Test func highestVersionWithItsConfigAndTwoInstances() async throws {
        let fm = FileManager.default
        let repository = fm.temporaryDirectory.appendingPathComponent("serve-repo-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: repository) }
        for version in ["1", "2"] {
            try fm.createDirectory(at: repository.appendingPathComponent("mlp/\(version)"), withIntermediateDirectories: true)
            try fm.copyItem(atPath: ServerHarness.mlp, toPath: repository.appendingPathComponent("mlp/\(version)/model.onnx").path)
        }
        try "max_batch_size: 4\ndynamic_batching { max_queue_delay_microseconds: 100 }\ninstance_group [ { count: 2 } ]\n"
            .write(to: repository.appendingPathComponent("mlp/config.pbtxt"), atomically: true, encoding: .utf8)
        let harness = try await ServerHarness(models: [], repository: repository.path)
        let model = try #require(harness.server.models["mlp"])
        #expect(model.version == "2")
        #expect(model.settings == BatchSettings(maxBatch: 4, batchWindowMicroseconds: 100, maxQueue: 64, instances: 2))
        let metadata = try await harness.request("GET", "/v2/models/mlp")
        #expect(metadata.json["versions"] as? [String] == ["2"])
        #expect(try await harness.request("GET", "/v2/models/mlp/versions/2/ready").status == 200)
        #expect(try await harness.request("GET", "/v2/models/mlp/versions/1").status == 404)

        let engine = model.engine
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for seed in 0..<24 {
                group.addTask {
                    let x = try BatchSchedulerTests.input(rows: 1 + seed % 3, seed: UInt64(seed))
                    let reply = try await harness.post("/v2/models/mlp/infer", json: [
                        "inputs": [["name": "x", "datatype": "FP32", "shape": x.shape, "data": try x.scalars(as: Float.self).map(Double.init)]],
                    ])
                    let got = ((reply.json["outputs"] as? [[String: Any]])?.first?["data"] as? [Double])?.map { Float($0) } ?? []
                    let want = try await engine.run(["x": x])["logits"]!.scalars(as: Float.self)
                    return got.count == want.count && zip(got, want).allSatisfy { abs($0 - $1) <= 1e-5 * max(abs($1), 1) }
                }
            }
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        #expect(results.count == 24 && results.allSatisfy { $0 }, "\(results.filter { !$0 }.count) of 24 answers differ from engine.run")
        await harness.stop()
    }
}
