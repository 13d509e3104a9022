import ArgumentParser
import Foundation
import InferRuntime
import InferServe

struct ServeCommand: LimitedCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over the KServe v2 / Triton protocol (HTTP and gRPC), with dynamic batching.",
        discussion: """
        A model given as a file is served under its file name without the extension
        (models/mlp.onnx -> mlp; a file named model.onnx or model.plan takes its folder's name),
        or under NAME with NAME=PATH. --model-repository DIR reads Triton's layout,
        DIR/NAME/VERSION/model.{plan,onnx,onnxtxt}, serving each model's highest version; its
        config.pbtxt may set max_batch_size, dynamic_batching { max_queue_delay_microseconds }
        and instance_group { count } (other fields are named at startup as not applied).

        A model batches when the first dim of every input and output is the same symbol:
        requests whose other dims agree are joined into one run of up to --max-batch rows, or
        whatever has queued when --batch-window-us has passed since the first one. Each model
        has a queue of --max-queue requests; beyond it requests are refused at once with 429.
        A request that waited longer than --request-timeout-ms (or its own
        parameters.timeout, in microseconds) is answered 504 and not run.

        Routes: GET /v2/health/live, /v2/health/ready, /v2, /v2/models/NAME[/versions/V],
        /v2/models/NAME[/versions/V]/ready; POST /v2/models/NAME[/versions/V]/infer (JSON
        tensors, or the binary tensor data extension), GET /metrics. --cache-entries N keeps an
        LRU of N outputs per model, keyed by the inputs' names, datatypes, shapes and bytes. SIGTERM or SIGINT stops accepting
        connections, finishes the requests in flight and exits 0.

        gRPC (--grpc-port, default 8001; --no-grpc turns it off) serves the protocol's
        inference.GRPCInferenceService: ServerLive, ServerReady, ModelReady, ServerMetadata,
        ModelMetadata and ModelInfer, with inputs in raw_input_contents or typed contents and
        outputs in raw_output_contents, on the same models, queues and cache as HTTP.

        Examples:
          swiftc-infer serve Graphs/models/mlp/model.onnx
          swiftc-infer serve classifier=resnet.plan --http-port 8080 --threads 2 --max-batch 16
          swiftc-infer serve --model-repository models/ --instances 2 --threads 1
          curl -s localhost:8000/v2/models/mlp
          python3 -c 'import tritonclient.grpc as g; print(g.InferenceServerClient("localhost:8001").get_model_metadata("mlp"))'
        """
    )

    @OptionGroup var limits: LimitOptions

    @Argument(help: ArgumentHelp("Models to serve: PATH or NAME=PATH (.onnx, .onnxtxt or a compiled plan).", valueName: "MODEL"))
    var models: [String] = []

    @Option(help: ArgumentHelp("A Triton model repository: DIR/NAME/VERSION/model.onnx (or .plan), optional DIR/NAME/config.pbtxt.", valueName: "DIR"))
    var modelRepository: String?

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "HTTP port (0: any free port; the startup line names it).")
    var httpPort = 8000

    @Option(help: "gRPC port (0: any free port; the startup line names it).")
    var grpcPort = 8001

    @Flag(help: "Serve HTTP only.")
    var noGrpc = false

    @Option(help: "Threads each run uses (default: all cores).")
    var threads: Int?

    @Option(help: "Most rows one batched run joins (1 turns batching off; under heavy load, larger batches serve more).")
    var maxBatch = 8

    @Option(name: .customLong("batch-window-us"), help: "Microseconds the first queued request waits for others to join its batch.")
    var batchWindowMicroseconds = 500

    @Option(help: "Requests a model's queue holds; more are refused with 429.")
    var maxQueue = 64

    @Option(help: "Runs of each model at once (each on --threads threads).")
    var instances = 1

    @Option(name: .customLong("request-timeout-ms"), help: "Milliseconds a request may wait in the queue before it is answered 504 (default: no limit).")
    var requestTimeoutMilliseconds: Int?

    @Option(help: "Request bodies over this many bytes are refused with 413.")
    var maxRequestBytes = 64 << 20

    @Option(help: "Entries of each model's response cache: identical requests answered without a run (0: off).")
    var cacheEntries = 0

    @Flag(help: "Log one line per request.")
    var verbose = false

    @OptionGroup var optimization: OptimizationOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard (1...4096).contains(maxBatch) else { throw ValidationError("--max-batch must be in 1...4096") }
        guard (0...60_000_000).contains(batchWindowMicroseconds) else { throw ValidationError("--batch-window-us must be in 0...60000000") }
        guard (1...1_000_000).contains(maxQueue) else { throw ValidationError("--max-queue must be in 1...1000000") }
        guard (1...64).contains(instances) else { throw ValidationError("--instances must be in 1...64") }
        guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be in 0...65535") }
        guard (0...65535).contains(grpcPort) else { throw ValidationError("--grpc-port must be in 0...65535") }
        if !noGrpc, httpPort != 0, grpcPort == httpPort { throw ValidationError("--http-port and --grpc-port are both \(httpPort)") }
        guard (0...1_000_000).contains(cacheEntries) else { throw ValidationError("--cache-entries must be in 0...1000000") }
        guard maxRequestBytes >= 1024 else { throw ValidationError("--max-request-bytes must be at least 1024") }
        if let requestTimeoutMilliseconds, !(1...86_400_000).contains(requestTimeoutMilliseconds) {
            throw ValidationError("--request-timeout-ms must be in 1...86400000")
        }
        if models.isEmpty && modelRepository == nil { throw ValidationError("give at least one MODEL or --model-repository DIR") }
    }

    func run() throws {
        var options = ServeOptions()
        options.host = host
        options.httpPort = httpPort
        options.grpcPort = noGrpc ? nil : grpcPort
        options.batching.maxBatch = maxBatch
        options.batching.batchWindowMicroseconds = batchWindowMicroseconds
        options.batching.maxQueue = maxQueue
        options.batching.instances = instances
        options.batching.requestTimeoutMicroseconds = requestTimeoutMilliseconds.map { $0 * 1000 }
        options.maxRequestBytes = maxRequestBytes
        options.verbose = verbose
        options.cacheEntries = cacheEntries
        let server: InferenceServer
        do {
            server = try InferenceServer(arguments: models, repository: modelRepository, options: options,
                                         engineOptions: optimization.engineOptions(threads: threads), report: Self.say)
        } catch {
            throw error.kind == .usage ? ValidationError(error.message) : CLIError(error.message)
        }
        let host = self.host
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        Task {
            do {
                try await server.run { scheme, port in Self.say("listening on \(scheme)://\(host):\(port)") }
            } catch {
                failure = error
            }
            finished.signal()
        }
        finished.wait()
        if let failure { throw CLIError("server stopped: \(failure)") }
        let received = server.requestsReceived.load(ordering: .relaxed), answered = server.requestsAnswered.load(ordering: .relaxed)
        Self.say("server stopped: \(received) inference requests received, \(answered) answered")
    }

    /// Startup and shutdown lines, written at once (stdout is often a pipe a script waits on).
    @Sendable static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
