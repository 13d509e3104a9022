import Foundation
import InferIR

/// Reads ONNX protobuf (`ModelProto`, `TensorProto`) into the IR.
public enum ONNXImporter {
    /// Loads a `.onnx` file; external-data locations resolve inside its folder only.
    public static func importModel(contentsOf url: URL) throws -> Model {
        throw InferError(.unsupportedFeature, "ONNX protobuf import is not implemented yet")
    }

    /// Decodes a serialized `ModelProto`. `baseDirectory` is where external data lives (nil: refuse it).
    public static func importModel(data: Data, baseDirectory: URL?) throws -> Model {
        throw InferError(.unsupportedFeature, "ONNX protobuf import is not implemented yet")
    }

    /// Decodes a serialized `TensorProto` (the `.pb` files of ONNX test directories).
    public static func importTensor(data: Data) throws -> Tensor {
        throw InferError(.unsupportedFeature, "ONNX protobuf import is not implemented yet")
    }

    /// Decodes a serialized `TensorProto` with its stored name ("" when unnamed).
    public static func importNamedTensor(data: Data) throws -> (name: String, tensor: Tensor) {
        throw InferError(.unsupportedFeature, "ONNX protobuf import is not implemented yet")
    }
}
