import InferIR
import Foundation
import SwiftProtobuf

/// The structure-aware mutator of the ONNX fuzz target: decodes a serialized `ModelProto`,
/// changes one thing a hostile or broken exporter could get wrong — an attribute value, a dim,
/// an element type, an integer initializer (shapes, axes, indices), the wiring of a node, an
/// op type, an opset — and encodes it again. Byte-level mutation almost never gets past the
/// protobuf decoder and the importer; these mutants do, so they reach shape inference, the
/// optimizer and the kernels.
package enum ONNXModelMutator {
    /// A mutant of `data`, or nil when `data` is not a decodable model (mutate its bytes instead).
    package static func mutate(_ data: Data, seed: UInt64) -> Data? {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        options.messageDepthLimit = 64
        guard var model = try? Onnx_ModelProto(serializedBytes: data, extensions: nil, partial: true, options: options),
              model.hasGraph else { return nil }
        var rng = MutationRandom(seed: seed)
        mutateOnce(&model, &rng)   // one change: libFuzzer stacks several calls itself
        return try? model.serializedBytes()
    }

    private static func mutateOnce(_ model: inout Onnx_ModelProto, _ rng: inout MutationRandom) {
        var graph = model.graph
        // Weighted toward changes that keep a model importable (values more than wiring), so most
        // mutants get past validation to the optimizer and the kernels.
        switch rng.below(20) {
        case 0..<8: mutateAttribute(&graph, &rng)
        case 8..<12: mutateIntegerInitializer(&graph, &rng)
        case 12: mutateInitializerShape(&graph, &rng)
        case 13, 14: mutateDeclaredType(&graph, &rng)
        case 15, 16: rewire(&graph, &rng)
        case 17: changeOpType(&graph, &rng)
        case 18: removeOrDuplicateNode(&graph, &rng)
        default:
            if !model.opsetImport.isEmpty {
                let k = rng.below(model.opsetImport.count)
                model.opsetImport[k].version = Int64(rng.pick([1, 6, 7, 9, 11, 13, 17, 18, 21, 23, 24, 99]))
            }
        }
        model.graph = graph
    }

    // MARK: Attributes

    private static func mutateAttribute(_ graph: inout Onnx_GraphProto, _ rng: inout MutationRandom) {
        guard !graph.node.isEmpty else { return }
        let n = rng.below(graph.node.count)
        if graph.node[n].attribute.isEmpty || rng.below(6) == 0 {
            graph.node[n].attribute.append(makeAttribute(&rng))
            return
        }
        let a = rng.below(graph.node[n].attribute.count)
        var attribute = graph.node[n].attribute[a]
        switch attribute.type {
        case .int: attribute.i = rng.interestingInt(around: attribute.i)
        case .ints:
            if attribute.ints.isEmpty || rng.below(5) == 0 {
                if rng.below(2) == 0 || attribute.ints.isEmpty { attribute.ints.append(rng.interestingInt(around: 1)) } else { attribute.ints.removeLast() }
            } else {
                let k = rng.below(attribute.ints.count)
                attribute.ints[k] = rng.interestingInt(around: attribute.ints[k])
            }
        case .float: attribute.f = rng.interestingFloat()
        case .floats:
            if !attribute.floats.isEmpty { attribute.floats[rng.below(attribute.floats.count)] = rng.interestingFloat() }
        case .string: attribute.s = Data(rng.pick(interestingStrings).utf8)
        case .tensor: mutateTensorValues(&attribute.t, &rng)
        case .graph: mutateAttribute(&attribute.g, &rng)
        default:
            graph.node[n].attribute.remove(at: a)
            return
        }
        if rng.below(10) == 0 {
            graph.node[n].attribute.remove(at: a)
        } else {
            graph.node[n].attribute[a] = attribute
        }
    }

    private static func makeAttribute(_ rng: inout MutationRandom) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = rng.pick(["axis", "axes", "group", "kernel_shape", "strides", "pads", "dilations", "perm", "keepdims",
                           "blocksize", "k", "to", "alpha", "beta", "epsilon", "mode", "auto_pad", "transA", "transB",
                           "output_shape", "output_padding", "num_heads", "q_num_heads", "kv_num_heads", "batch_dims",
                           "upper", "exclusive", "reverse", "largest", "sorted", "ceil_mode", "count_include_pad"])
        switch rng.below(4) {
        case 0: a.type = .int; a.i = rng.interestingInt(around: 1)
        case 1: a.type = .ints; a.ints = (0..<(1 + rng.below(4))).map { _ in rng.interestingInt(around: 1) }
        case 2: a.type = .float; a.f = rng.interestingFloat()
        default: a.type = .string; a.s = Data(rng.pick(interestingStrings).utf8)
        }
        return a
    }

    private static let interestingStrings = ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "constant", "reflect", "edge",
                                             "wrap", "nearest", "linear", "cubic", "bilinear", "half_pixel", "asymmetric",
                                             "align_corners", "round_prefer_floor", "floor", "ceil", "DCR", "CRD", "", "x"]

    // MARK: Initializers and types

    /// Shapes, axes, pads and indices usually arrive as int64 initializers: the values a shape
    /// function trusts most.
    private static func mutateIntegerInitializer(_ graph: inout Onnx_GraphProto, _ rng: inout MutationRandom) {
        let candidates = graph.initializer.indices.filter { graph.initializer[$0].dataType == 7 || graph.initializer[$0].dataType == 6 }
        guard let k = candidates.isEmpty ? (graph.initializer.isEmpty ? nil : rng.below(graph.initializer.count)) : rng.pick(candidates)
        else { return }
        mutateTensorValues(&graph.initializer[k], &rng)
    }

    private static func mutateTensorValues(_ t: inout Onnx_TensorProto, _ rng: inout MutationRandom) {
        if t.dataType == 7, t.hasRawData, t.rawData.count >= 8 {
            var bytes = [UInt8](t.rawData)
            let k = rng.below(bytes.count / 8)
            let old = bytes[(k * 8)..<(k * 8 + 8)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
            withUnsafeBytes(of: rng.interestingInt(around: old).littleEndian) { bytes.replaceSubrange((k * 8)..<(k * 8 + 8), with: $0) }
            t.rawData = Data(bytes)
        } else if !t.int64Data.isEmpty {
            let k = rng.below(t.int64Data.count)
            t.int64Data[k] = rng.interestingInt(around: t.int64Data[k])
        } else if !t.int32Data.isEmpty {
            let k = rng.below(t.int32Data.count)
            t.int32Data[k] = Int32(truncatingIfNeeded: rng.interestingInt(around: Int64(t.int32Data[k])))
        } else if !t.floatData.isEmpty {
            t.floatData[rng.below(t.floatData.count)] = rng.interestingFloat()
        } else if t.hasRawData, !t.rawData.isEmpty {
            var bytes = [UInt8](t.rawData)
            bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
            t.rawData = Data(bytes)
        } else if !t.dims.isEmpty {
            t.dims[rng.below(t.dims.count)] = rng.interestingInt(around: 1)
        }
    }

    private static func mutateInitializerShape(_ graph: inout Onnx_GraphProto, _ rng: inout MutationRandom) {
        guard !graph.initializer.isEmpty else { return }
        let k = rng.below(graph.initializer.count)
        switch rng.below(3) {
        case 0 where !graph.initializer[k].dims.isEmpty:
            let d = rng.below(graph.initializer[k].dims.count)
            graph.initializer[k].dims[d] = rng.interestingInt(around: graph.initializer[k].dims[d])
        case 1: graph.initializer[k].dataType = Int32(rng.pick([1, 2, 3, 5, 6, 7, 9, 10, 11, 16, 0, 99]))
        default:
            if rng.below(2) == 0 || graph.initializer[k].dims.isEmpty { graph.initializer[k].dims.append(1) } else { graph.initializer[k].dims.removeLast() }
        }
    }

    /// A declared input, output or value_info type: a dim, the element type or the rank.
    private static func mutateDeclaredType(_ graph: inout Onnx_GraphProto, _ rng: inout MutationRandom) {
        func mutate(_ info: inout Onnx_ValueInfoProto) {
            guard info.type.tensorType.hasShape || rng.below(2) == 0 else { return }
            var tensor = info.type.tensorType
            switch rng.below(4) {
            case 0: tensor.elemType = Int32(rng.pick([1, 2, 3, 6, 7, 9, 10, 11, 16, 0]))
            case 1: tensor.shape.dim.append(Onnx_TensorShapeProto.Dimension.with { $0.dimValue = rng.interestingInt(around: 2) })
            case 2 where !tensor.shape.dim.isEmpty: tensor.shape.dim.removeLast()
            default:
                guard !tensor.shape.dim.isEmpty else { return }
                let d = rng.below(tensor.shape.dim.count)
                if rng.below(4) == 0 {
                    tensor.shape.dim[d].dimParam = rng.pick(["N", "batch", "seq", ""])
                } else {
                    tensor.shape.dim[d].dimValue = rng.interestingInt(around: tensor.shape.dim[d].dimValue)
                }
            }
            info.type.tensorType = tensor
        }
        switch rng.below(3) {
        case 0 where !graph.input.isEmpty: mutate(&graph.input[rng.below(graph.input.count)])
        case 1 where !graph.output.isEmpty: mutate(&graph.output[rng.below(graph.output.count)])
        default: if !graph.valueInfo.isEmpty { mutate(&graph.valueInfo[rng.below(graph.valueInfo.count)]) }
        }
    }

    // MARK: Wiring

    /// Points one node input at another value (or none), or one output at an existing name.
    private static func rewire(_ graph: inout Onnx_GraphProto, _ rng: inout MutationRandom) {
        guard !graph.node.isEmpty else { return }
        var names = graph.input.map(\.name) + graph.initializer.map(\.name)
        for node in graph.node { names += node.output }
        names.append("")
        let n = rng.below(graph.node.count)
        switch rng.below(4) {
        case 0 where !graph.node[n].input.isEmpty:
            graph.node[n].input[rng.below(graph.node[n].input.count)] = rng.pick(names)
        case 1: graph.node[n].input.append(rng.pick(names))
        case 2 where !graph.node[n].input.isEmpty: graph.node[n].input.removeLast()
        default:
            if !graph.node[n].output.isEmpty { graph.node[n].output[rng.below(graph.node[n].output.count)] = rng.pick(names) }
        }
    }

    private static func changeOpType(_ graph: inout Onnx_GraphProto, _ rng: inout MutationRandom) {
        guard !graph.node.isEmpty else { return }
        let seen = graph.node.map(\.opType)
        let n = rng.below(graph.node.count)
        graph.node[n].opType = rng.below(2) == 0 ? rng.pick(seen) : rng.pick(commonOps)
    }

    private static let commonOps = [
        "Add", "Mul", "MatMul", "Gemm", "Conv", "ConvTranspose", "Relu", "Reshape", "Transpose", "Concat", "Split",
        "Slice", "Gather", "GatherElements", "GatherND", "ScatterND", "Expand", "Tile", "Pad", "Resize", "Squeeze",
        "Unsqueeze", "Flatten", "ReduceSum", "ReduceMean", "Softmax", "LayerNormalization", "BatchNormalization",
        "MaxPool", "AveragePool", "GlobalAveragePool", "Cast", "Shape", "Size", "ConstantOfShape", "Range", "Where",
        "TopK", "CumSum", "OneHot", "DepthToSpace", "SpaceToDepth", "Einsum", "Trilu", "NonZero", "Unique", "Loop",
        "If", "Scan", "Attention", "RoiAlign", "GridSample", "DFT", "STFT", "LSTM", "GRU", "RNN", "QLinearConv",
        "ConvInteger", "MatMulInteger", "QuantizeLinear", "DequantizeLinear", "Compress", "ReverseSequence",
    ]

    private static func removeOrDuplicateNode(_ graph: inout Onnx_GraphProto, _ rng: inout MutationRandom) {
        guard !graph.node.isEmpty else { return }
        let n = rng.below(graph.node.count)
        if rng.below(2) == 0 {
            graph.node.remove(at: n)
        } else {
            graph.node.insert(graph.node[n], at: rng.below(graph.node.count + 1))
        }
    }
}

/// The pickers the mutator needs over `SplitMix64` (deterministic per seed, so libFuzzer can replay).
struct MutationRandom {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    mutating func below(_ n: Int) -> Int { generator.below(n) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Boundary values (zero, signs, powers of two around 2^31, 2^32, 2^62, the Int64 extremes)
    /// and small steps from the current value: where size arithmetic overflows or divides by zero.
    mutating func interestingInt(around value: Int64) -> Int64 {
        switch below(4) {
        case 0: return pick(Self.boundaryInts)
        case 1: return value &+ Int64(below(5)) &- 2
        case 2: return value == 0 ? 1 : (below(2) == 0 ? value &* 2 : 0 &- value)
        default: return Int64(below(9)) - 2
        }
    }

    mutating func interestingFloat() -> Float { pick(Self.boundaryFloats) }

    private static let boundaryInts: [Int64] = [
        0, 1, -1, 2, 3, -2, 7, 64, 255, 256, 65_536, 2_147_483_647, -2_147_483_648, 2_147_483_648, 4_294_967_296,
        2_147_483_649, 1_099_511_627_776, 4_611_686_018_427_387_904, -4_611_686_018_427_387_904,
        .max, .min, .max - 1, .min + 1,
    ]
    private static let boundaryFloats: [Float] = [
        0, -0.0, 1, -1, 0.5, 2, .nan, .infinity, -.infinity, 1e30, -1e30, 1e-30, .leastNonzeroMagnitude,
        .greatestFiniteMagnitude, 4_294_967_296, 1e10,
    ]
}
