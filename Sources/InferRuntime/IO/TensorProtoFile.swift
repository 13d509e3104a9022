import Foundation
import InferIR
import InferONNX

/// ONNX `TensorProto` files (`input_0.pb` in ONNX test directories).
///
/// ```swift
/// let (name, x) = try TensorProtoFile.readNamed(URL(fileURLWithPath: "test_data_set_0/input_0.pb"))
/// let outputs = try engine.run([name: x])
/// ```
package enum TensorProtoFile {
    package static func read(_ url: URL) throws -> Tensor {
        try readNamed(url).tensor
    }

    /// The tensor and the name stored in the proto ("" when unnamed).
    package static func readNamed(_ url: URL) throws -> (name: String, tensor: Tensor) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InferError(.io, "\(url.path): cannot read (\(error.localizedDescription))")
        }
        do { return try ONNXImporter.importNamedTensor(data: data) } catch let e as InferError {
            throw e.prefixed(url.path)
        }
    }
}
