import Foundation
import InferIR
import SwiftProtobuf

/// Reads ONNX protobuf (`ModelProto`, `TensorProto`) into the IR.
package enum ONNXImporter {
    /// Loads a `.onnx` file; external-data locations resolve inside its folder only.
    package static func importModel(contentsOf url: URL) throws -> Model {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw InferError(.io, "\(url.path): cannot read: \(error.localizedDescription)")
        }
        return try importModel(data: data, baseDirectory: url.deletingLastPathComponent())
    }

    /// Decodes a serialized `ModelProto`. `baseDirectory` is where external data lives (nil: refuse it).
    package static func importModel(data: Data, baseDirectory: URL?) throws -> Model {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data, extensions: nil, partial: true,
                                        options: decodingOptions)
        } catch {
            throw InferError(.parse, "not a valid ONNX model: \(describe(error))")
        }
        return try ONNXModelImporter(proto: proto, baseDirectory: baseDirectory).importModel()
    }

    /// Decodes a serialized `TensorProto` (the `.pb` files of ONNX test directories).
    package static func importTensor(data: Data) throws -> Tensor {
        try importNamedTensor(data: data).tensor
    }

    /// Decodes a serialized `TensorProto` with its stored name ("" when unnamed).
    package static func importNamedTensor(data: Data) throws -> (name: String, tensor: Tensor) {
        let proto: Onnx_TensorProto
        do {
            proto = try Onnx_TensorProto(serializedBytes: data, extensions: nil, partial: true,
                                         options: decodingOptions)
        } catch {
            throw InferError(.parse, "not a valid ONNX TensorProto: \(describe(error))")
        }
        let label = proto.name.isEmpty ? "tensor" : "tensor \"\(proto.name)\""
        return (proto.name, try ONNXTensorImporter(externalData: nil).importTensor(proto, label: label))
    }

    /// Unknown fields are dropped (we never re-serialize the original proto), and the nesting
    /// limit bounds recursion through subgraph attributes on hostile input.
    private static var decodingOptions: BinaryDecodingOptions {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        options.messageDepthLimit = ONNXModelLimits.messageDepthLimit
        return options
    }

    private static func describe(_ error: Error) -> String {
        if let e = error as? BinaryDecodingError {
            switch e {
            case .truncated: return "the data is truncated"
            case .malformedProtobuf: return "malformed protobuf"
            case .invalidUTF8: return "a string field is not valid UTF-8"
            case .messageDepthLimit:
                let limits = ResourceLimits.current
                return "messages are nested deeper than a subgraph nesting of \(min(limits.maxNesting, ResourceLimits.nestingCeiling)) allows"
                    + " (subgraphs within subgraphs, or nested types); raise it with --max-nesting or Engine.Options.limits.maxNesting"
            default: return "\(e)"
            }
        }
        return "\(error)"
    }
}
