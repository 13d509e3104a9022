import InferIR

/// The resource limits checked on a decoded `ModelProto` before any of it is imported: the
/// total node count (subgraphs included) and the subgraph nesting, walked without recursion.
enum ONNXModelLimits {
    static func check(_ proto: Onnx_ModelProto) throws {
        let limits = ResourceLimits.current
        var pending: [(graph: Onnx_GraphProto, depth: Int)] = [(proto.graph, 0)]
        var nodes = 0
        while let (graph, depth) = pending.popLast() {
            try limits.checkNesting(depth, "the model")
            nodes += graph.node.count
            try limits.checkNodeCount(nodes, "the model")
            for node in graph.node {
                for attribute in node.attribute {
                    if attribute.hasG { pending.append((attribute.g, depth + 1)) }
                    for g in attribute.graphs { pending.append((g, depth + 1)) }
                }
            }
        }
    }

    /// SwiftProtobuf's own recursion bound for decoding: deep enough for every nesting the
    /// limits allow plus one (so a model one level too deep gets the nesting error, which says
    /// how to raise the limit), bounded by the nesting ceiling so decoding cannot exhaust the stack.
    /// Each subgraph level is three messages (NodeProto, AttributeProto, GraphProto); a graph's
    /// own deepest message (ValueInfo > TypeProto > Tensor > Shape > Dimension, or nested
    /// sequence types) adds a few more.
    static var messageDepthLimit: Int {
        3 * (min(ResourceLimits.current.maxNesting, ResourceLimits.nestingCeiling) + 1) + 16
    }
}
