import Foundation
import InferIR
import SwiftProtobuf

/// Writes the IR back as ONNX protobuf (tensors inline as `raw_data`), so that
/// `ONNXImporter.importModel(data: exportModel(m), baseDirectory: nil) == m`.
/// Initializers, value_info and attributes are written sorted by name for deterministic bytes.
package enum ONNXExporter {
    package static func exportModel(_ model: Model) throws -> Data {
        var proto = Onnx_ModelProto()
        proto.irVersion = Int64(model.irVersion)
        proto.producerName = model.producerName
        proto.producerVersion = model.producerVersion
        proto.opsetImport = model.opsetImports.sorted { $0.key < $1.key }.map { domain, version in
            var entry = Onnx_OperatorSetIdProto()
            entry.domain = domain
            entry.version = Int64(version)
            return entry
        }
        proto.graph = try graphProto(model.graph)
        return try serialize(proto)
    }

    package static func exportTensor(_ t: Tensor, name: String) throws -> Data {
        try serialize(tensorProto(t, name: name))
    }

    private static func serialize(_ message: some SwiftProtobuf.Message) throws -> Data {
        do {
            return try message.serializedBytes()
        } catch {
            throw InferError(.invalidModel, "cannot serialize ONNX protobuf: \(error)")
        }
    }

    static func graphProto(_ graph: Graph) throws -> Onnx_GraphProto {
        var proto = Onnx_GraphProto()
        proto.name = graph.name
        proto.input = graph.inputs.map { valueInfoProto(name: $0.name, type: $0.type) }
        proto.output = graph.outputs.map { valueInfoProto(name: $0.name, type: $0.type) }
        proto.valueInfo = graph.valueInfo.sorted { $0.key < $1.key }.map { valueInfoProto(name: $0.key, type: $0.value) }
        proto.initializer = graph.initializers.sorted { $0.key < $1.key }.map { tensorProto($0.value, name: $0.key) }
        proto.node = try graph.nodes.map(nodeProto)
        return proto
    }

    static func nodeProto(_ node: Node) throws -> Onnx_NodeProto {
        var proto = Onnx_NodeProto()
        proto.name = node.name
        proto.opType = node.opType
        proto.domain = node.domain
        proto.input = node.inputs
        proto.output = node.outputs
        proto.attribute = try node.attributes.sorted { $0.key < $1.key }.map { try attributeProto($0.key, $0.value) }
        return proto
    }

    static func attributeProto(_ name: String, _ value: Attribute) throws -> Onnx_AttributeProto {
        var proto = Onnx_AttributeProto()
        proto.name = name
        switch value {
        case .float(let v): proto.type = .float; proto.f = v
        case .int(let v): proto.type = .int; proto.i = Int64(v)
        case .string(let v): proto.type = .string; proto.s = Data(v.utf8)
        case .tensor(let t): proto.type = .tensor; proto.t = tensorProto(t, name: "")
        case .graph(let g): proto.type = .graph; proto.g = try graphProto(g)
        case .floats(let v): proto.type = .floats; proto.floats = v
        case .ints(let v): proto.type = .ints; proto.ints = v.map { Int64($0) }
        case .strings(let v): proto.type = .strings; proto.strings = v.map { Data($0.utf8) }
        case .tensors(let v): proto.type = .tensors; proto.tensors = v.map { tensorProto($0, name: "") }
        case .graphs(let v): proto.type = .graphs; proto.graphs = try v.map(graphProto)
        case .type(let t): proto.type = .typeProto; proto.tp = typeProto(t)
        case .types(let v): proto.type = .typeProtos; proto.typeProtos = v.map(typeProto)
        }
        return proto
    }

    static func tensorProto(_ t: Tensor, name: String) -> Onnx_TensorProto {
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dataType = Int32(t.dtype.rawValue)
        proto.dims = t.shape.map { Int64($0) }
        proto.rawData = Data(bytes: t.rawPointer, count: t.byteCount)
        return proto
    }

    static func valueInfoProto(name: String, type: ValueType) -> Onnx_ValueInfoProto {
        var proto = Onnx_ValueInfoProto()
        proto.name = name
        proto.type = typeProto(type)
        return proto
    }

    static func typeProto(_ type: ValueType) -> Onnx_TypeProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(type.dtype.rawValue)
        if let shape = type.shape {
            var shapeProto = Onnx_TensorShapeProto()
            shapeProto.dim = shape.map { dim in
                var d = Onnx_TensorShapeProto.Dimension()
                switch dim {
                case .value(let v): d.dimValue = Int64(v)
                case .symbol(let s): d.dimParam = s
                case .unknown: break
                }
                return d
            }
            tensorType.shape = shapeProto
        }
        var proto = Onnx_TypeProto()
        proto.tensorType = tensorType
        return proto
    }
}
