import Foundation
import InferIR
import InferONNX

/// Writes a model (typically an optimized one) as an ONNX protobuf file with its weights, for
/// Netron, `onnx.checker` or another engine. Fused ops stay in the `swiftinfer` domain, which
/// the model imports; their schemas are in docs/swiftinfer-ops.md.
package enum ModelWriter {
    package static func writeONNX(_ model: Model, to url: URL) throws {
        let data = try ONNXExporter.exportModel(model)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw InferError(.io, "\(url.path): cannot write the ONNX file: \(error.localizedDescription)")
        }
    }
}
