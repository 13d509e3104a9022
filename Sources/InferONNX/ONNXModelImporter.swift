import Foundation
import InferIR

/// Turns a decoded `ModelProto` into a `Model`: model-level facts, the main graph, and the
/// checks that need the whole model (opset versions, model-local functions).
struct ONNXModelImporter {
    let proto: Onnx_ModelProto
    let baseDirectory: URL?

    func importModel() throws -> Model {
        guard proto.hasGraph else { throw InferError(.parse, "not a valid ONNX model: it has no graph") }
        try ONNXModelLimits.check(proto)
        guard !proto.opsetImport.isEmpty else {
            throw InferError(.parse, "not a valid ONNX model: it has no opset_import")
        }
        var opsets: [String: Int] = [:]
        for entry in proto.opsetImport {
            let domain = entry.domain == "ai.onnx" ? "" : entry.domain
            guard opsets[domain] == nil else {
                throw InferError(.invalidModel, "opset_import lists domain \"\(domainName(domain))\" twice")
            }
            opsets[domain] = Int(entry.version)
        }
        let functions = Set(proto.functions.map { FunctionKey(domain: $0.domain, name: $0.name) })
        let graphImporter = ONNXGraphImporter(
            tensors: ONNXTensorImporter(externalData: baseDirectory.map(ONNXExternalData.init(baseDirectory:))),
            opsets: opsets, localFunctions: functions)
        let graph = try graphImporter.importGraph(proto.graph)
        return Model(irVersion: Int(proto.irVersion), opsetImports: opsets, producerName: proto.producerName,
                     producerVersion: proto.producerVersion, graph: graph)
    }
}

/// A model-local function is called by a node whose (domain, op_type) equals its (domain, name).
struct FunctionKey: Hashable {
    let domain: String
    let name: String
}

func domainName(_ domain: String) -> String { domain.isEmpty ? "ai.onnx" : domain }
