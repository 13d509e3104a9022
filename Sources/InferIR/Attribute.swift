/// A node attribute value: every ONNX attribute kind the engine reads or round-trips.
package indirect enum Attribute: Sendable, Equatable {
    case float(Float)
    case int(Int)
    case string(String)
    case tensor(Tensor)
    case graph(Graph)
    case floats([Float])
    case ints([Int])
    case strings([String])
    case tensors([Tensor])
    case graphs([Graph])
    /// `TYPE_PROTO` attributes (e.g. on optional/sequence ops).
    case type(ValueType)
    case types([ValueType])

    /// ONNX text-format name of the kind (`float`, `ints`, ...).
    package var kindName: String {
        switch self {
        case .float: "float"
        case .int: "int"
        case .string: "string"
        case .tensor: "tensor"
        case .graph: "graph"
        case .floats: "floats"
        case .ints: "ints"
        case .strings: "strings"
        case .tensors: "tensors"
        case .graphs: "graphs"
        case .type: "type_proto"
        case .types: "type_protos"
        }
    }
}
