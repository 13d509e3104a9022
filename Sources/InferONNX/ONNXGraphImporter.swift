import Foundation
import InferIR

/// Converts `GraphProto`s (the main graph and, recursively, subgraph attributes of If/Loop/Scan)
/// into `Graph`s, checking each node against the model's opsets and local functions.
struct ONNXGraphImporter {
    let tensors: ONNXTensorImporter
    let opsets: [String: Int]
    let localFunctions: Set<FunctionKey>

    /// `isSubgraph`: values of subgraphs may lack a type (ONNX infers them from the outer node).
    func importGraph(_ proto: Onnx_GraphProto, isSubgraph: Bool = false) throws -> Graph {
        guard proto.sparseInitializer.isEmpty else {
            throw InferError(.unsupportedFeature,
                             "sparse initializer \"\(proto.sparseInitializer[0].values.name)\" is not supported")
        }
        var initializers: [String: Tensor] = [:]
        for t in proto.initializer {
            guard !t.name.isEmpty else { throw InferError(.invalidModel, "an initializer has no name") }
            guard initializers[t.name] == nil else {
                throw InferError(.invalidModel, "initializer \"\(t.name)\" is defined twice")
            }
            initializers[t.name] = try tensors.importTensor(t, label: "initializer \"\(t.name)\"")
        }
        let inputs = try proto.input.map { try signatureValue($0, role: "graph input", isSubgraph: isSubgraph) }
        for input in inputs {
            // An initializer named like a graph input is its default: it must fit the declared type.
            guard let value = initializers[input.name], let declared = input.type.shape else { continue }
            let fits = value.dtype == input.type.dtype && value.shape.count == declared.count
                && zip(value.shape, declared).allSatisfy { size, dim in dim.intValue.map { $0 == size } ?? true }
            guard fits else {
                throw InferError(.invalidModel, "initializer \"\(input.name)\" is \(value.type), but graph input \"\(input.name)\", "
                                 + "whose default it is, is declared \(input.type)")
            }
        }
        let outputs = try proto.output.map { try signatureValue($0, role: "graph output", isSubgraph: isSubgraph) }
        var valueInfo: [String: ValueType] = [:]
        for info in proto.valueInfo {
            // value_info is only a hint: entries without an element type carry nothing to keep.
            guard let type = try ONNXTypeImporter.valueType(info.type, hasType: info.hasType,
                                                             label: "value \"\(info.name)\"") else { continue }
            valueInfo[info.name] = type
        }
        let nodes = try proto.node.map(importNode)
        return Graph(name: proto.name, inputs: inputs, outputs: outputs, initializers: initializers,
                     nodes: nodes, valueInfo: valueInfo)
    }

    private func signatureValue(_ proto: Onnx_ValueInfoProto, role: String, isSubgraph: Bool) throws -> ValueInfo {
        let label = "\(role) \"\(proto.name)\""
        guard !proto.name.isEmpty else { throw InferError(.invalidModel, "a \(role) has no name") }
        if let type = try ONNXTypeImporter.valueType(proto.type, hasType: proto.hasType, label: label) {
            return ValueInfo(name: proto.name, type: type)
        }
        guard isSubgraph else { throw InferError(.invalidModel, "\(label) has no tensor element type") }
        // The IR has no "unknown dtype"; subgraph signatures are often left untyped by exporters.
        // Control flow is rejected at execution, so this placeholder never drives a kernel.
        return ValueInfo(name: proto.name, type: ValueType(dtype: .float32, shape: nil))
    }

    private func importNode(_ proto: Onnx_NodeProto) throws -> Node {
        var node = Node(name: proto.name, opType: proto.opType, domain: proto.domain,
                        inputs: proto.input, outputs: proto.output)
        let opset = opsets[node.domain == "ai.onnx" ? "" : node.domain]
        guard !proto.opType.isEmpty else {
            throw InferError.at(node, opset: opset, .invalidModel, "node has no op_type")
        }
        if localFunctions.contains(FunctionKey(domain: proto.domain, name: proto.opType)) {
            throw InferError.at(node, opset: opset, .unsupportedFeature,
                                "calls the model-local function \(domainName(proto.domain)).\(proto.opType); functions are not supported")
        }
        if let opset, node.domain.isEmpty || node.domain == "ai.onnx",
           let schema = OperatorRegistry.schema(for: node), opset < schema.sinceVersion {
            throw InferError.at(node, opset: opset, .unsupportedOperator,
                                "\(node.opType) in domain ai.onnx is supported from opset \(schema.sinceVersion); the model imports opset \(opset)")
        }
        for attribute in proto.attribute {
            guard node.attributes[attribute.name] == nil else {
                throw InferError.at(node, opset: opset, .invalidModel, "attribute \"\(attribute.name)\" appears twice")
            }
            do {
                node.attributes[attribute.name] = try importAttribute(attribute)
            } catch let error as InferError {
                throw InferError.at(node, opset: opset, error.kind, "attribute \"\(attribute.name)\": \(error.message)")
            }
        }
        return node
    }

    private func importAttribute(_ proto: Onnx_AttributeProto) throws -> Attribute {
        switch Self.kind(of: proto) {
        case .float: return .float(proto.f)
        case .int: return .int(Int(proto.i))
        case .string: return .string(String(decoding: proto.s, as: UTF8.self))
        case .tensor: return .tensor(try tensors.importTensor(proto.t, label: "tensor"))
        case .graph: return .graph(try importGraph(proto.g, isSubgraph: true))
        case .floats: return .floats(proto.floats)
        case .ints: return .ints(proto.ints.map { Int($0) })
        case .strings: return .strings(proto.strings.map { String(decoding: $0, as: UTF8.self) })
        case .tensors:
            return .tensors(try proto.tensors.enumerated().map { try tensors.importTensor($1, label: "tensor \($0)") })
        case .graphs: return .graphs(try proto.graphs.map { try importGraph($0, isSubgraph: true) })
        case .typeProto:
            guard let type = try ONNXTypeImporter.valueType(proto.tp, hasType: true, label: "type") else {
                throw InferError(.invalidModel, "type_proto has no element type")
            }
            return .type(type)
        case .typeProtos:
            return .types(try proto.typeProtos.enumerated().map { i, tp in
                guard let type = try ONNXTypeImporter.valueType(tp, hasType: true, label: "type \(i)") else {
                    throw InferError(.invalidModel, "type_proto \(i) has no element type")
                }
                return type
            })
        case .sparseTensor, .sparseTensors:
            throw InferError(.unsupportedFeature, "sparse tensor attributes are not supported")
        case .undefined:
            throw InferError(.invalidModel, "attribute has no type and no value")
        }
    }

    /// The declared kind, or for old files that leave `type` unset, the kind of the field that is set.
    private static func kind(of proto: Onnx_AttributeProto) -> Onnx_AttributeProto.AttributeType {
        if proto.type != .undefined { return proto.type }
        if proto.hasF { return .float }
        if proto.hasI { return .int }
        if proto.hasS { return .string }
        if proto.hasT { return .tensor }
        if proto.hasG { return .graph }
        if proto.hasSparseTensor { return .sparseTensor }
        if proto.hasTp { return .typeProto }
        if !proto.floats.isEmpty { return .floats }
        if !proto.ints.isEmpty { return .ints }
        if !proto.strings.isEmpty { return .strings }
        if !proto.tensors.isEmpty { return .tensors }
        if !proto.graphs.isEmpty { return .graphs }
        if !proto.sparseTensors.isEmpty { return .sparseTensors }
        if !proto.typeProtos.isEmpty { return .typeProtos }
        return .undefined
    }
}
