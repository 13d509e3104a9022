import Foundation
import GRPCCore
import Testing
@testable import InferRuntime
@testable import InferServe
import InferServeProtocol

/// The KServe v2 gRPC service over a real HTTP/2 connection (an in-process server on a
/// loopback port, grpc-swift's generated client): health and metadata, inference with raw and
/// typed inputs checked against the ONNX Runtime reference, and each refused request with its
/// status code and message while the server keeps serving.
@Suite(.serialized) struct GRPCProtocolTests {
    static func request(_ x: Tensor, raw: Bool = true) throws -> Inference_ModelInferRequest {
        var request = Inference_ModelInferRequest()
        request.modelName = "mlp"
        var input = Inference_ModelInferRequest.InferInputTensor()
        input.name = "x"
        input.datatype = "FP32"
        input.shape = x.shape.map(Int64.init)
        if raw {
            request.rawInputContents = [Data(x.bytes)]
        } else {
            input.contents.fp32Contents = try x.scalars(as: Float.self)
        }
        request.inputs = [input]
        return request
    }

    static func floats(_ data: Data) -> [Float] { data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }

    @Test func healthAndMetadata() async throws {
        let harness = try await ServerHarness(grpc: true)
        try await harness.grpc { client in
            #expect(try await client.serverLive(.init()).live)
            #expect(try await client.serverReady(.init()).ready)
            #expect(try await client.modelReady(.with { $0.name = "mlp" }).ready)
            #expect(try await client.modelReady(.with { $0.name = "mlp"; $0.version = "1" }).ready)
            #expect(try await !client.modelReady(.with { $0.name = "mlp"; $0.version = "2" }).ready)
            #expect(try await !client.modelReady(.with { $0.name = "resnet" }).ready)
            let server = try await client.serverMetadata(.init())
            #expect(server.name == "swiftc-infer" && server.extensions == ["binary_tensor_data"])
            let model = try await client.modelMetadata(.with { $0.name = "mlp" })
            #expect(model.versions == ["1"])
            #expect(model.inputs.map(\.name) == ["x"] && model.inputs.first?.datatype == "FP32")
            #expect(model.inputs.first?.shape == [-1, 64])
            #expect(model.outputs.first?.name == "logits" && model.outputs.first?.shape == [-1, 10])
        }
        await harness.stop()
    }

    @Test func rawAndTypedInputsMatchTheReference() async throws {
        let harness = try await ServerHarness(grpc: true)
        let (x, y) = try HTTPProtocolTests.reference()
        for raw in [true, false] {
            var request = try Self.request(x, raw: raw)
            request.id = "grpc-\(raw)"
            let response = try await harness.grpc { client in try await client.modelInfer(request) }
            #expect(response.modelName == "mlp" && response.modelVersion == "1" && response.id == "grpc-\(raw)")
            #expect(response.outputs.map(\.name) == ["logits"])
            #expect(response.outputs.first?.datatype == "FP32")
            #expect(response.outputs.first?.shape == [Int64(x.shape[0]), 10])
            #expect(response.rawOutputContents.count == 1)
            HTTPProtocolTests.expectClose(Self.floats(response.rawOutputContents.first ?? Data()), y, raw ? "raw input" : "fp32_contents input")
        }
        await harness.stop()
    }

    @Test func errorsCarryTheirCodeAndAMessage() async throws {
        var options = ServeOptions()
        options.maxRequestBytes = 4096
        let harness = try await ServerHarness(models: ["mlp=" + ServerHarness.mlp], options: options, grpc: true)
        let (x, y) = try HTTPProtocolTests.reference()
        let good = try Self.request(x)
        func changed(_ change: (inout Inference_ModelInferRequest) -> Void) -> Inference_ModelInferRequest {
            var request = good
            change(&request)
            return request
        }
        let big = try Tensor(dtype: .float32, shape: [40, 64], bytes: [UInt8](repeating: 0, count: 40 * 64 * 4))
        let cases: [(Inference_ModelInferRequest, RPCError.Code, String)] = [
            (changed { $0.modelName = "resnet" }, .notFound, "unknown model 'resnet'; serving mlp"),
            (changed { $0.modelVersion = "2" }, .notFound, "model 'mlp' has no version '2'; serving version 1"),
            (changed { $0.inputs[0].datatype = "INT32" }, .invalidArgument, "model 'mlp': input \"x\" is int32, expected float"),
            (changed { $0.inputs[0].datatype = "FP16" }, .invalidArgument, "input 'x': datatype 'FP16' is not supported (supported: FP32, UINT8, INT8, INT32, INT64, BOOL, FP64)"),
            (changed { $0.inputs[0].shape = [Int64(x.shape[0]) * 64] }, .invalidArgument,
             "model 'mlp': input \"x\" has shape [\(x.shape[0] * 64)] (rank 1), expected float[N,64] (rank 2)"),
            (changed { $0.inputs[0].shape = [1, 64] }, .invalidArgument,
             "input 'x': raw_input_contents has \(x.byteCount) bytes but FP32 [1, 64] needs 256"),
            (changed { $0.inputs[0].name = "y" }, .invalidArgument, "model 'mlp': unknown input \"y\"; expected x: float[N,64]"),
            (changed { $0.rawInputContents.append(Data()) }, .invalidArgument, "raw_input_contents has 2 entries for 1 inputs (one per input, in order)"),
            (changed { $0.inputs[0].contents.fp32Contents = [1] }, .invalidArgument, "input 'x' has contents, but the request uses raw_input_contents"),
            (changed { $0.rawInputContents = []; $0.inputs[0].contents.intContents = [1] }, .invalidArgument,
             "input 'x': FP32 elements go in fp32_contents, not int_contents"),
            (changed { $0.inputs = [] ; $0.rawInputContents = [] }, .invalidArgument, "request has no inputs"),
            (changed { $0.outputs = [.with { $0.name = "probabilities" }] }, .invalidArgument, "unknown output 'probabilities' requested; model 'mlp' has logits"),
            (changed { $0.parameters["timeout"] = .with { $0.stringParam = "soon" } }, .invalidArgument,
             "parameters.timeout must be a non-negative int64_param (microseconds)"),
            // Over --max-request-bytes grpc-swift's transport resets the stream before any handler
            // runs (its decoder's RESOURCE_EXHAUSTED does not reach the client): UNAVAILABLE.
            (try Self.request(big), .unavailable, ""),
        ]
        try await harness.grpc { client in
            for (request, code, message) in cases {
                do {
                    _ = try await client.modelInfer(request)
                    Issue.record("\(message): was answered")
                } catch let error as RPCError {
                    #expect(error.code == code, "\(message): \(error)")
                    if !message.isEmpty { #expect(error.message == message) }
                }
                // The server keeps serving after every refusal.
                let next = try await client.modelInfer(good)
                HTTPProtocolTests.expectClose(Self.floats(next.rawOutputContents.first ?? Data()), y, "after '\(message)'")
            }
            // A deadline of 1 us has passed by the time any instance thread looks at the request.
            do {
                _ = try await client.modelInfer(changed { $0.parameters["timeout"] = .with { $0.int64Param = 1 } })
                Issue.record("a request past its deadline was answered")
            } catch let error as RPCError {
                #expect(error.code == .deadlineExceeded, "\(error)")
                #expect(error.message.hasPrefix("request timed out after waiting"), "\(error)")
            }
        }
        await harness.stop()
    }

    /// A call's own deadline (grpc-timeout) bounds its wait in the queue as parameters.timeout
    /// does (whose expiry, answered and not run, errorsCarryTheirCodeAndAMessage checks): the
    /// sooner of the two applies.
    @Test(arguments: [(nil, nil, nil), (nil, 300, 300), (5000, 2000, 2000), (100, 5000, 100), (7, nil, 7)] as [(Int64?, Int?, Int?)])
    func theSoonerOfTimeoutAndDeadlineBoundsTheWait(parameter: Int64?, deadline: Int?, expected: Int?) throws {
        let (x, _) = try HTTPProtocolTests.reference()
        var message = try Self.request(x)
        if let parameter { message.parameters["timeout"] = .with { $0.int64Param = parameter } }
        #expect(try GRPCFrontEnd.decode(message, clientTimeoutMicroseconds: deadline).timeoutMicroseconds == expected)
    }

    @Test(arguments: [("5S", 5_000_000), ("250m", 250_000), ("7u", 7), ("999n", 1), ("2M", 120_000_000), ("1H", 3_600_000_000),
                      ("12x", nil), ("S", nil), ("-5S", nil), ("123456789S", nil)] as [(String, Int?)])
    func grpcTimeoutHeadersReadAsMicroseconds(value: String, micros: Int?) {
        #expect(GRPCFrontEnd.microseconds(ofTimeout: value) == micros)
    }

    /// gRPC and HTTP requests share the model's counters (one pipeline, one set of metrics).
    @Test func grpcRequestsAreCountedInTheMetrics() async throws {
        let harness = try await ServerHarness(grpc: true)
        let (x, _) = try HTTPProtocolTests.reference()
        let good = try Self.request(x)
        var bad = good
        bad.inputs[0].datatype = "INT64"
        try await harness.grpc { client in
            _ = try await client.modelInfer(good)
            _ = try await client.modelInfer(good)
            _ = try? await client.modelInfer(bad)
        }
        let metrics = try await harness.request("GET", "/metrics")
        let labels = "{model=\"mlp\",version=\"1\"}"
        #expect(MetricsText.value(metrics.text, "nv_inference_request_success" + labels) == 2, "\(metrics.text)")
        #expect(MetricsText.value(metrics.text, "nv_inference_request_failure" + labels) == 1)
        #expect(MetricsText.value(metrics.text, "nv_inference_count" + labels) == Double(2 * x.shape[0]))
        #expect(harness.server.requestsReceived.load(ordering: .relaxed) == 3)
        await harness.stop()
    }
}
