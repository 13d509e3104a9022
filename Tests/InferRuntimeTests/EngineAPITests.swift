import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// The public embedding API: the issue's exact usage, inputs/outputs metadata, options, the
/// async variant, and the typed input errors (one line each, naming the input and dim).
@Suite struct EngineAPITests {
    @Test func issueExampleShape() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("mlp"))
        let x = try Tensor(shape: [1, 64], scalars: [Float](repeating: 0.5, count: 64))
        let name = engine.inputs[0].name, outputName = engine.outputs[0].name
        let outputs = try engine.run([name: x])
        let y: [Float] = try outputs[outputName]!.scalars(as: Float.self)
        #expect(!y.isEmpty)
    }

    @Test func inputsAndOutputsKeepSymbolicDims() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"))
        #expect(engine.inputs.map(\.name) == ["input_ids", "attention_mask"])
        #expect(engine.inputs[0].type.dtype == .int64)
        #expect(engine.inputs[0].type.shape == [.symbol("batch"), .value(16)])
        #expect(!engine.outputs.isEmpty)
    }

    @Test func optionsAreKept() throws {
        let options = Engine.Options(threads: 1, optimization: .canonicalize, planCacheCapacity: 3, maxIdleSessions: 1)
        let engine = try Engine(contentsOf: ModelFixtures.url("mlp"), options: options)
        #expect(engine.options == options)
        #expect(engine.optimization == .canonicalize)
        #expect(engine.threads == 1)
        for n in 1...6 { _ = try engine.run(["x": Tensor(zeros: .float32, shape: [n, 64])]) }
        #expect(engine.planCount <= 3)
    }

    @Test func asyncRunMatchesSyncRun() async throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"), options: .init(threads: 1))
        let feeds = ModelFixtures.encoderInputs(batch: 2, seed: 7)
        let sync = try ConcurrencyTests.runBlocking(engine, feeds)
        let async = try await engine.run(feeds)
        #expect(ConcurrencyTests.agree(sync, async))
    }

    @Test func asyncRunThrowsTypedErrors() async throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("mlp"))
        await #expect(throws: InferError.self) { _ = try await engine.run([:]) }
    }

    // MARK: - Typed errors

    /// `run` throws `InferError` itself (typed throws): `error` needs no cast, or this would not compile.
    static func error(_ engine: Engine, _ feeds: [String: Tensor]) -> InferError? {
        do { _ = try engine.run(feeds); return nil } catch { return error }
    }

    @Test func unknownInput() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("mlp"))
        let e = try #require(Self.error(engine, ["x": Tensor(zeros: .float32, shape: [1, 64]), "y": Tensor(scalar: Float(1))]))
        #expect(e.kind == .unknownInput)
        #expect(e.description.hasPrefix("unknown input \"y\"; expected x: float["))
        #expect(!e.description.contains("\n"))
    }

    @Test func missingInputListsExpectedInputs() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"))
        let e = try #require(Self.error(engine, ["input_ids": Tensor(zeros: .int64, shape: [1, 16])]))
        #expect(e.kind == .missingInput)
        #expect(e.description.contains("\"attention_mask\""))
        #expect(e.description.contains("input_ids"))
        #expect(!e.description.contains("\n"))
    }

    @Test func dtypeMismatch() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("mlp"))
        let e = try #require(Self.error(engine, ["x": Tensor(zeros: .float64, shape: [1, 64])]))
        #expect(e.kind == .dtypeMismatch)
        #expect(e.description.contains("\"x\""))
        #expect(e.description == "input \"x\" is double, expected float")
        #expect(!e.description.contains("\n"))
    }

    @Test func shapeMismatchNamesTheDim() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("mlp"))
        let e = try #require(Self.error(engine, ["x": Tensor(zeros: .float32, shape: [2, 63])]))
        #expect(e.kind == .invalidShape)
        #expect(e.description.contains("\"x\" dim 1 is 63, expected 64"))
        #expect(!e.description.contains("\n"))
        let rank = try #require(Self.error(engine, ["x": Tensor(zeros: .float32, shape: [64])]))
        #expect(rank.kind == .invalidShape)
        #expect(rank.description.contains("rank 1"))
    }

    @Test func symbolBoundTwoWaysNamesBothInputs() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"))
        let e = try #require(Self.error(engine, ["input_ids": Tensor(zeros: .int64, shape: [2, 16]),
                                                 "attention_mask": Tensor(zeros: .int64, shape: [3, 16])]))
        #expect(e.kind == .invalidShape)
        #expect(e.description.contains("batch"))
        #expect(e.description.contains("\"input_ids\"") && e.description.contains("\"attention_mask\""))
        #expect(!e.description.contains("\n"))
    }

    @Test func engineIsSendable() {
        func requireSendable<T: Sendable>(_: T.Type) {}
        requireSendable(Engine.self)
        requireSendable(Engine.Options.self)
        requireSendable(Tensor.self)
        requireSendable(InferError.self)
    }
}

/// An error about a node carries where it is as fields, not only inside its message, and
/// keeps them when a caller adds context (a file path).
@Suite struct InferErrorLocationTests {
    @Test func nodeErrorsCarryNodeOpAndOpset() throws {
        let graph = Graph(inputs: [ValueInfo(name: "x", type: ValueType(dtype: .float32, dims: [1, 4, 5, 5]))],
                          outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: nil))],
                          initializers: ["w": Tensor(zeros: .float32, shape: [2, 4, 3, 3])],
                          nodes: [Node(name: "conv1", opType: "Conv", inputs: ["x", "w"], outputs: ["y"],
                                       attributes: ["group": .int(3)])])
        do {
            _ = try Engine(model: Model(opsetImports: ["": 13], graph: graph), optimization: .full)
            Issue.record("a group that does not divide the channels must be refused")
        } catch let error as InferError {
            #expect(error.node == "conv1")
            #expect(error.opType == "Conv")
            #expect(error.opset == 13)
            #expect(error.message.contains("conv1") && error.message.contains("group"), "\(error.message)")
            let inFile = error.prefixed("/models/bad.onnx")
            #expect(inFile.message.hasPrefix("/models/bad.onnx: "))
            #expect(inFile.node == "conv1" && inFile.opType == "Conv" && inFile.opset == 13 && inFile.kind == error.kind)
        }
    }

    @Test func errorsWithoutANodeHaveNoLocation() {
        let error = InferError(.io, "/nowhere.onnx: no such file")
        #expect(error.node == nil && error.opType == nil && error.opset == nil)
    }
}
