import Foundation
import InferIR

/// `fold-batchnorm`: a per-channel affine map after a Conv / Gemm / MatMul with constant weights
/// becomes part of those weights. BatchNormalization (inference) is s * (y - mean) + beta with
/// s = gamma / sqrt(var + eps); Mul / Add by a per-channel constant k is k * y or y + k.
/// Algebra: s * (W x + b) + t = (s * W) x + (s * b + t), with s scaling output channel c
/// (Conv: W[c, ...]; Gemm/MatMul: column c of op(B)). Only when the intermediate has no other reader.
package struct FoldBatchNorm: Pass {
    package let name = "fold-batchnorm"
    package init() {}

    private typealias M = LinearFusionMatching

    /// What the GEMM / convolution computes, so its weights can absorb an affine map.
    private enum Core {
        /// W [M, C/group, k...] constant; bias [M] constant or absent.
        case conv(weights: String, bias: String?)
        /// Y = alpha op(A) op(B) + beta C, B constant 2-D; C absent or constant per column.
        case gemm(weights: String, transB: Bool, bias: String?, beta: Float)
        /// Y = A B with B constant 2-D [K, N].
        case matMul(weights: String)
    }

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        var changed = false
        var index = 0
        var decided: Set<String> = []  // outputs of the followers already explained
        while index < graph.nodes.count {
            if try foldFollower(of: index, in: &graph, model: model, decided: &decided, context: context) { changed = true } else { index += 1 }
        }
        // A BatchNormalization that follows no foldable GEMM/convolution is explained too.
        for node in graph.nodes where M.isStandard(node) && node.opType == "BatchNormalization" && !decided.contains(node.outputs[0]) {
            let source = graph.nodes.first { $0.outputs.contains(node.inputs[0]) }
            let found = source.map { FusionDecision.describe($0) } ?? "a graph input or constant"
            context.declined("bn", by: self, at: node,
                             because: "its input comes from \(found), not a Conv / Gemm / MatMul with constant weights")
        }
        if changed { model.graph = graph }
        return changed
    }

    /// Tries to fold the one affine follower of node `index` into it; true when the graph changed
    /// (the same node is then tried again: Conv -> BN -> Mul folds twice).
    private func foldFollower(of index: Int, in graph: inout Graph, model: Model, decided: inout Set<String>,
                              context: PassContext) throws -> Bool {
        let node = graph.nodes[index]
        guard M.isStandard(node), let y = node.outputs.first, !y.isEmpty,
              let core = core(node, graph), let outType = M.type(of: y, in: graph), let rank = outType.rank,
              outType.dtype == .float32 else { return false }
        let counts = graph.useCounts
        let readers = graph.nodes.indices.filter { graph.nodes[$0].inputs.contains(y) }
        // Only BatchNorm and Mul/Add by a constant are near misses (a residual Add is not).
        let affineReaders = readers.filter {
            let r = graph.nodes[$0]
            return isAffineCandidate(r) && (r.opType == "BatchNormalization" || r.inputs.contains { $0 != y && graph.constant($0) != nil })
        }
        guard let readerIndex = M.soleReader(of: y, in: graph, counts: counts) else {
            if let r = affineReaders.first {
                decided.insert(graph.nodes[r].outputs[0])
                context.declined("\(kind(core))+\(shortName(graph.nodes[r]))", by: self, at: graph.nodes[r],
                                 because: M.readerProblem(of: y, in: graph, counts: counts))
            }
            return false
        }
        let follower = graph.nodes[readerIndex]
        guard isAffineCandidate(follower), affineReaders.contains(readerIndex) else { return false }
        let channels: Int
        let channelAxis: Int
        switch core {
        case .conv(let w, _):
            channels = graph.initializers[w]!.shape[0]; channelAxis = 1
        case .gemm(let w, let transB, _, _):
            channels = graph.initializers[w]!.shape[transB ? 0 : 1]; channelAxis = rank - 1
        case .matMul(let w):
            channels = graph.initializers[w]!.shape[1]; channelAxis = rank - 1
        }
        decided.insert(follower.outputs[0])
        func decline(_ why: String) -> Bool {
            context.declined("\(kind(core))+\(shortName(follower))", by: self, at: follower, because: why)
            return false
        }
        guard let (scale, shift) = affine(follower, input: y, channels: channels, channelAxis: channelAxis,
                                          rank: rank, graph: graph) else {
            return decline("its parameters are not constant per-channel float values")
        }
        if case .matMul = core, follower.opType == "BatchNormalization", rank != 2 {
            return decline("MatMul output has rank \(rank): BatchNormalization's channel axis is not its columns")
        }
        if case .matMul = core, follower.opType == "Add" {
            return false  // a bias after MatMul is the epilogue pass's job
        }
        var rewritten = node
        var replaced: [String] = []
        switch core {
        case .conv(let w, let b):
            let weights = graph.initializers[w]!
            let newW = scaleSlices(M.floats(weights)!, slices: channels, by: scale)
            rewritten.inputs[1] = M.addInitializer(newW, shape: weights.shape, base: folded(w), to: &graph)
            let oldB = b.flatMap { graph.initializers[$0] }.flatMap(M.floats) ?? Array(repeating: 0, count: channels)
            let newB = (0..<channels).map { Float(Double(scale[$0]) * Double(oldB[$0]) + Double(shift[$0])) }
            let bName = M.addInitializer(newB, shape: [channels], base: folded(b ?? w + "_bias"), to: &graph)
            if rewritten.inputs.count > 2 { rewritten.inputs[2] = bName } else { rewritten.inputs.append(bName) }
            replaced = [w] + (b.map { [$0] } ?? [])
        case .gemm(let w, let transB, let c, let beta):
            let weights = graph.initializers[w]!
            let values = M.floats(weights)!
            let newW = transB ? scaleSlices(values, slices: channels, by: scale) : scaleColumns(values, columns: channels, by: scale)
            rewritten.inputs[1] = M.addInitializer(newW, shape: weights.shape, base: folded(w), to: &graph)
            let oldC = c.flatMap { graph.initializers[$0] }.flatMap {
                M.perChannel($0, channels: channels, channelAxis: 1, outputRank: 2)
            } ?? Array(repeating: 0, count: channels)
            let newC = (0..<channels).map { Float(Double(scale[$0]) * Double(beta) * Double(oldC[$0]) + Double(shift[$0])) }
            let cName = M.addInitializer(newC, shape: [channels], base: folded(c ?? w + "_bias"), to: &graph)
            while rewritten.inputs.count < 3 { rewritten.inputs.append("") }
            rewritten.inputs[2] = cName
            rewritten.attributes["beta"] = .float(1)
            replaced = [w] + (c.map { [$0] } ?? [])
        case .matMul(let w):
            let weights = graph.initializers[w]!
            let newW = scaleColumns(M.floats(weights)!, columns: channels, by: scale)
            rewritten.inputs[1] = M.addInitializer(newW, shape: weights.shape, base: folded(w), to: &graph)
            replaced = [w]
            if shift.contains(where: { $0 != 0 }) {
                // MatMul has no bias input: the shift stays as a per-column Add (the epilogue pass fuses it).
                let shiftName = M.addInitializer(shift, shape: [channels], base: w + "_shift", to: &graph)
                graph.nodes[index] = rewritten
                graph.nodes[readerIndex] = Node(name: follower.name, opType: "Add", inputs: [y, shiftName],
                                                outputs: [follower.outputs[0]], attributes: M.legacyBroadcast(in: model))
                M.removeUnusedInitializers(replaced + follower.inputs, from: &graph)
                context.applied("\(kind(core))+\(shortName(follower))", by: self, at: follower, nodes: 2, into: rewritten)
                return true
            }
        }
        rewritten.outputs[0] = follower.outputs[0]
        graph.nodes[index] = rewritten
        graph.nodes.remove(at: readerIndex)
        graph.valueInfo[y] = nil
        M.removeUnusedInitializers(replaced + follower.inputs, from: &graph)
        context.applied("\(kind(core))+\(shortName(follower))", by: self, at: follower, nodes: 2, into: rewritten)
        return true
    }

    private func core(_ node: Node, _ graph: Graph) -> Core? {
        func constantFloat(_ i: Int, rank: Int? = nil) -> String? {
            guard i < node.inputs.count, !node.inputs[i].isEmpty, let t = graph.constant(node.inputs[i]),
                  t.dtype == .float32, rank == nil || t.rank == rank else { return nil }
            return node.inputs[i]
        }
        let hasBias = node.inputs.count > 2 && !node.inputs[2].isEmpty
        switch node.opType {
        case "Conv":
            guard let w = constantFloat(1), graph.initializers[w]!.rank >= 3, graph.initializers[w]!.shape[0] > 0 else { return nil }
            if hasBias {
                guard let b = constantFloat(2, rank: 1) else { return nil }
                return .conv(weights: w, bias: b)
            }
            return .conv(weights: w, bias: nil)
        case "Gemm":
            guard let w = constantFloat(1, rank: 2), (try? node.int("transA", default: 0)) != nil,
                  let transB = try? node.int("transB", default: 0), let beta = try? node.float("beta", default: 1) else { return nil }
            let n = graph.initializers[w]!.shape[transB != 0 ? 0 : 1]
            if hasBias {
                guard let c = constantFloat(2), M.perChannel(graph.initializers[c]!, channels: n, channelAxis: 1, outputRank: 2) != nil
                else { return nil }
                return .gemm(weights: w, transB: transB != 0, bias: c, beta: beta)
            }
            return .gemm(weights: w, transB: transB != 0, bias: nil, beta: beta)
        case "MatMul":
            guard let w = constantFloat(1, rank: 2) else { return nil }
            return .matMul(weights: w)
        default:
            return nil
        }
    }

    private func isAffineCandidate(_ node: Node) -> Bool {
        M.isStandard(node) && ["BatchNormalization", "Mul", "Add"].contains(node.opType)
    }

    /// The follower as y -> scale * y + shift per channel, nil when it is not such a map.
    private func affine(_ node: Node, input y: String, channels: Int, channelAxis: Int, rank: Int,
                        graph: Graph) -> ([Float], [Float])? {
        switch node.opType {
        case "BatchNormalization":
            guard node.inputs.count == 5, node.inputs[0] == y,
                  (try? node.int("training_mode", default: 0)) == 0, (try? node.int("spatial", default: 1)) == 1,
                  node.outputs.dropFirst().allSatisfy({ $0.isEmpty || !graph.usedValues.contains($0) }),
                  let eps = try? node.float("epsilon", default: 1e-5) else { return nil }
            var params: [[Float]] = []
            for name in node.inputs[1...4] {
                guard let t = graph.constant(name), t.rank == 1, t.count == channels, let v = M.floats(t) else { return nil }
                params.append(v)
            }
            let (gamma, beta, mean, variance) = (params[0], params[1], params[2], params[3])
            var scale = [Float](), shift = [Float]()
            for c in 0..<channels {
                let s = Double(gamma[c]) / (Double(variance[c]) + Double(eps)).squareRoot()
                scale.append(Float(s))
                shift.append(Float(Double(beta[c]) - s * Double(mean[c])))
            }
            return (scale, shift)
        case "Mul", "Add":
            guard node.inputs.count == 2, node.inputs.filter({ $0 == y }).count == 1 else { return nil }
            let other = node.inputs[0] == y ? node.inputs[1] : node.inputs[0]
            guard let t = graph.constant(other),
                  let k = M.perChannel(t, channels: channels, channelAxis: channelAxis, outputRank: rank) else { return nil }
            return node.opType == "Mul" ? (k, Array(repeating: 0, count: channels)) : (Array(repeating: 1, count: channels), k)
        default:
            return nil
        }
    }

    /// Multiplies each of `slices` contiguous equal slices (output channels of a [M, ...] tensor) by its scale.
    private func scaleSlices(_ values: [Float], slices: Int, by scale: [Float]) -> [Float] {
        let size = values.count / slices
        return values.enumerated().map { i, v in v * scale[i / size] }
    }

    /// Multiplies column j of a row-major [rows, columns] matrix by scale[j].
    private func scaleColumns(_ values: [Float], columns: Int, by scale: [Float]) -> [Float] {
        values.enumerated().map { i, v in v * scale[i % columns] }
    }

    /// Name base for a folded tensor: `W` -> `W_folded` (no repeated suffix when folding again).
    private func folded(_ base: String) -> String { base.hasSuffix("_folded") ? base : base + "_folded" }

    private func kind(_ core: Core) -> String {
        switch core {
        case .conv: "conv"
        case .gemm: "gemm"
        case .matMul: "matmul"
        }
    }

    private func shortName(_ node: Node) -> String {
        switch node.opType {
        case "BatchNormalization": "bn"
        default: node.opType.lowercased()
        }
    }
}
