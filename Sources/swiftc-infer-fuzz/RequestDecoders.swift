import Foundation
import InferIR
import InferRuntime
import InferServeProtocol
import SwiftProtobuf

/// The `request` target: the server's request decoders on hostile bytes. Every input goes
/// through all three (a mutated JSON body may become a protobuf and back): the KServe v2 JSON
/// body, the binary tensor data extension (its JSON header taken to end where the first
/// top-level object closes), and a gRPC `ModelInferRequest` message. A decoded request then
/// meets the same input checks a served model applies and, when it passes, one run.
/// Refusals must be `ServeError`s (or SwiftProtobuf's decoding errors, for bytes that are no
/// message at all); anything else is a finding.
enum RequestDecoders {
    /// A served model's stand-in: one batched FP32 input and one INT64 input.
    static let engine: Engine = {
        let text = """
        <ir_version: 8, opset_import: ["" : 17]>
        g (float[N,4] x, int64[N,2] ids) => (float[N,4] y, int64[N,2] z) {
            y = Relu(x)
            z = Neg(ids)
        }
        """
        do {
            return try Engine(model: try ONNXTextParser.parseModel(text), options: Engine.Options(threads: 1))
        } catch {
            fatalError("the request target's model does not load: \(error)")
        }
    }()

    static func run(_ data: Data) throws(ServeError) {
        let bytes = [UInt8](data)
        var decoded: [InferenceRequest] = []
        var refusal: ServeError?
        func attempt(_ decode: () throws(ServeError) -> InferenceRequest) {
            do { decoded.append(try decode()) } catch { refusal = error }
        }
        attempt { () throws(ServeError) in try InferenceRequest.decode(bytes, headerLength: nil) }
        if let end = jsonObjectEnd(bytes), end < bytes.count {
            attempt { () throws(ServeError) in try InferenceRequest.decode(bytes, headerLength: end) }
        }
        if let message = try? Inference_ModelInferRequest(serializedBytes: bytes) {
            attempt { () throws(ServeError) in try InferenceRequest(message) }
        }
        guard !decoded.isEmpty else {
            if let refusal { throw refusal }
            return
        }
        for request in decoded {
            do {
                try engine.checkInputs(request.tensors)
                FuzzStats.shared.reachedRun += 1
                _ = try engine.run(request.tensors)
                FuzzStats.shared.ranClean += 1
            } catch {
                // The served model's refusal of a decoded request: what the server answers 400 with.
            }
        }
    }

    /// Where the first top-level JSON object ends (one past its closing brace), skipping braces
    /// inside strings; nil when it does not close.
    static func jsonObjectEnd(_ bytes: [UInt8]) -> Int? {
        var depth = 0, inString = false, escaped = false
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
        }
        return nil
    }
}
