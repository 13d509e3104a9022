import Foundation
import InferONNX
import InferIR
import InferRuntime
import InferServeProtocol

/// The five fuzz targets: what one input (a byte string from libFuzzer, or a corpus file in
/// replay mode) goes through. Every failure must be an `InferError`; anything else — a trap, a
/// crash, a hang past libFuzzer's timeout — is a bug the fuzzer reports (for `request`, a
/// `ServeError`, the server's refusal).
enum FuzzTarget: String, CaseIterable {
    /// ONNX protobuf: import → validation and shape inference → optimizer → plan → one run.
    case onnx
    /// ONNX text: parse → the same as `onnx`.
    case text
    /// A compiled plan file: load → run.
    case plan
    /// `.npy` and TensorProto `.pb` readers.
    case tensor
    /// The server's request decoders: KServe v2 JSON, the binary extension, gRPC ModelInfer.
    case request

    /// Small limits so that every execution stays fast and small (libFuzzer runs millions).
    static let limits = ResourceLimits(maxTensorBytes: 4 << 20, maxArenaBytes: 16 << 20, maxNodes: 10_000,
                                       maxNesting: 16, maxLoopIterations: 256, timeout: 2)

    func run(_ data: Data) {
        FuzzStats.shared.executions += 1
        do {
            try Self.limits.bound {
                switch self {
                case .onnx: try ModelPipeline.run(try ONNXImporter.importModel(data: data, baseDirectory: nil), level: ModelPipeline.level(for: data))
                case .text: try ModelPipeline.run(try ONNXTextParser.parseModel(String(decoding: data, as: UTF8.self)), level: ModelPipeline.level(for: data))
                case .plan: try ModelPipeline.runPlan(data)
                case .tensor: try Self.readTensors(data)
                case .request: try RequestDecoders.run(data)
                }
            }
        } catch is InferError {
            // A clean refusal: what hostile input should get.
        } catch is ServeError {
            // The server's clean refusal of a request (a 400 / INVALID_ARGUMENT).
        } catch {
            fatalError("\(rawValue): an error that is not an InferError: \(error)")
        }
    }

    /// Every input goes through both readers (a mutated .npy may look like a .pb and back). It ran
    /// clean when one of them decoded it; each refusal must be an InferError, whichever reader.
    private static func readTensors(_ data: Data) throws {
        FuzzStats.shared.reachedRun += 1
        var decoded = false, refusal: InferError?
        for reader in [{ _ = try NPYFormat.decode(data) }, { _ = try ONNXImporter.importTensor(data: data) }] as [() throws -> Void] {
            do {
                try reader()
                decoded = true
            } catch let error as InferError {
                refusal = error
            }
        }
        if decoded { FuzzStats.shared.ranClean += 1 } else if let refusal { throw refusal }
    }
}
