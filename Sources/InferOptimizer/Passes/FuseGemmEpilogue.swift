import InferIR

/// `fuse-gemm-epilogue`: Conv / Gemm / MatMul followed by a per-channel bias Add, an activation
/// (a single op, or SiLU's Sigmoid + Mul pair)
/// and a residual Add (before or after the activation) become one `swiftinfer.FusedConv` /
/// `FusedGemm` / `FusedMatMul` (an `Int8MatMul` without an epilogue takes it in place). Algebra: each step is elementwise on the GEMM's output, so
/// act(core(x) + b [+ r]) [+ r] computed in one pass over that output is the same function;
/// `residual_before_activation` records which of the two orders the graph had, so it stays exact.
/// Only when every intermediate has exactly one reader (and is not a graph output).
package struct FuseGemmEpilogue: Pass {
    package let name = "fuse-gemm-epilogue"
    package init() {}

    private typealias M = LinearFusionMatching

    private enum Core: Equatable {
        case conv, gemm, matMul, fusedMatMul, int8MatMul
        var label: String {
            switch self {
            case .conv: "conv"
            case .gemm: "gemm"
            case .matMul, .fusedMatMul: "matmul"
            case .int8MatMul: "int8-matmul"
            }
        }
    }

    package func run(on model: inout Model, context: PassContext) throws -> Bool {
        var graph = model.graph
        var changed = false
        var usesDomain = false
        var index = 0
        var fusedOutputs: Set<String> = []  // a fused node is not a new candidate when the loop reaches it
        while index < graph.nodes.count {
            if let fused = try fuse(at: index, in: &graph, opsets: model, fusedOutputs: &fusedOutputs, context: context) {
                changed = true
                usesDomain = usesDomain || fused
                // The core's slot was removed; the fused node sits later, where its last part was.
            } else {
                index += 1
            }
        }
        if changed {
            model.graph = graph
            if usesDomain { M.importDomain(&model) }
        }
        return changed
    }

    /// Fuses the epilogue of node `index`; nil when nothing matched, else whether the result is a
    /// `swiftinfer` node.
    private func fuse(at index: Int, in graph: inout Graph, opsets: Model, fusedOutputs: inout Set<String>,
                      context: PassContext) throws -> Bool? {
        let node = graph.nodes[index]
        guard let core = core(node), let y = node.outputs.first, !y.isEmpty, !fusedOutputs.contains(y) else { return nil }
        func decline(_ what: String, _ reason: String) -> Bool? {
            context.declined(what, by: self, at: node, because: reason)
            return nil
        }
        let epilogue = "\(core.label)+epilogue"
        guard let outType = M.type(of: y, in: graph), let rank = outType.rank, rank >= 1 else {
            return decline(epilogue, "output rank unknown")
        }
        guard outType.dtype == .float32 else { return decline(epilogue, "output is \(outType.dtype), not float32") }
        if node.outputs.count > 1 && node.outputs.dropFirst().contains(where: { !$0.isEmpty }) {
            return decline(epilogue, "it has more than one output")
        }
        // A 1-D MatMul operand drops an output axis: the last axis is then not the GEMM's columns.
        if core == .matMul || core == .fusedMatMul || core == .int8MatMul,
           !node.inputs.prefix(2).allSatisfy({ (M.type(of: $0, in: graph)?.rank ?? 0) >= 2 }) {
            return decline(epilogue, "an operand is 1-D or of unknown rank")
        }
        let channelAxis = core == .conv ? 1 : rank - 1
        guard let channels = outType.shape![channelAxis].intValue else { return decline(epilogue, "channel count unknown") }
        var counts = graph.useCounts
        var fused = node
        var absorbed: [Int] = []           // indices of the epilogue nodes taken in, in order
        var current = y                     // the value the next epilogue step reads
        var parts: [String] = []
        var activation: FusedActivation? = nil
        var residual: String? = nil
        var residualBeforeActivation = false
        var newInitializers: [String] = []

        func next() -> Int? { M.soleReader(of: current, in: graph, counts: counts) }
        /// Why the epilogue stops at `current` (recorded when nothing at all was taken in).
        var stop = (fusion: epilogue, reason: "")
        func noteStop() {
            if counts[current, default: 0] > 1 || graph.graphOutputNames.contains(current),
               let r = graph.nodes.firstIndex(where: { $0.inputs.contains(current) && isEpilogueCandidate($0) }) {
                let what = ([core.label] + parts + [graph.nodes[r].opType.lowercased()]).joined(separator: "+")
                stop = (what, "intermediate \(M.readerProblem(of: current, in: graph, counts: counts))")
            } else if let r = next() {
                stop.reason = "its output is read by \(FusionDecision.describe(graph.nodes[r])), not a per-channel bias Add, an activation or a residual Add"
            } else {
                stop.reason = "its output \(M.readerProblem(of: current, in: graph, counts: counts))"
            }
        }

        // 1. A per-channel constant Add is a bias.
        if let r = next(), let (biasValues, _) = constantAddend(graph.nodes[r], current, channels: channels,
                                                               channelAxis: channelAxis, rank: rank, graph: graph),
           let updated = mergeBias(biasValues, into: fused, core: core, channels: channels, graph: &graph, created: &newInitializers) {
            fused = updated
            absorbed.append(r)
            current = graph.nodes[r].outputs[0]
        }
        if hasBias(fused) { parts.append("bias") }
        /// An activation node reading `current`, or the Sigmoid + Mul pair of a SiLU.
        func takeActivation() -> Bool {
            if let r = next(), let act = self.activation(graph.nodes[r], graph: graph, opsets: opsets) {
                activation = act
                absorbed.append(r)
                current = graph.nodes[r].outputs[0]
            } else if let (sigmoid, mul) = siluPair(of: current, in: graph, counts: counts) {
                activation = FusedActivation(name: "Silu")
                absorbed += [sigmoid, mul]
                current = graph.nodes[mul].outputs[0]
            } else {
                return false
            }
            parts.append(activation!.name.lowercased())
            return true
        }
        // 2. Residual Add, then maybe an activation; or an activation, then maybe a residual Add.
        if let r = next(), let other = residualOperand(graph.nodes[r], current, graph: graph) {
            residual = other
            absorbed.append(r)
            current = graph.nodes[r].outputs[0]
            parts.append("add")
            if takeActivation() {
                residualBeforeActivation = true
            } else {
                noteStop()
            }
        } else if takeActivation() {
            if let r2 = next(), let other = residualOperand(graph.nodes[r2], current, graph: graph) {
                residual = other
                absorbed.append(r2)
                current = graph.nodes[r2].outputs[0]
                parts.append("add")
            } else {
                noteStop()
            }
        } else {
            noteStop()
        }
        guard !absorbed.isEmpty else {
            M.removeUnusedInitializers(newInitializers, from: &graph)
            return decline(stop.fusion, stop.reason)
        }
        counts = [:]
        // 3. The fused node: a standard op when only a bias was taken in and it has a bias slot.
        fused.outputs = [current]
        var isCustom = activation != nil || residual != nil
        if !isCustom, core == .matMul {
            let ranks = fused.inputs.prefix(2).map { M.type(of: $0, in: graph)?.rank }
            if ranks == [2, 2] {
                fused.opType = "Gemm"
                fused.attributes.merge(M.legacyBroadcast(in: opsets)) { $1 }
            } else {
                isCustom = true
            }
        }
        if core == .fusedMatMul || core == .int8MatMul { isCustom = true }
        if isCustom {
            fused.domain = M.domain
            fused.opType = switch core {
            case .conv: "FusedConv"
            case .gemm: "FusedGemm"
            case .matMul, .fusedMatMul: "FusedMatMul"
            case .int8MatMul: "Int8MatMul"
            }
            for (k, v) in (activation ?? FusedActivation(name: "")).attributes { fused.attributes[k] = v }
            if let residual, core == .int8MatMul {
                fused.inputs[3] = residual  // Int8MatMul(A, W, bias, R, W_scale)
                fused.attributes["has_residual"] = .int(1)
                fused.attributes["residual_before_activation"] = .int(residualBeforeActivation ? 1 : 0)
            } else if let residual {
                while fused.inputs.count < 3 { fused.inputs.append("") }
                fused.inputs.append(residual)
                fused.attributes["has_residual"] = .int(1)
                fused.attributes["residual_before_activation"] = .int(residualBeforeActivation ? 1 : 0)
            }
        }
        let absorbedInputs = absorbed.flatMap { graph.nodes[$0].inputs }
        let last = absorbed.max()!
        graph.nodes[last] = fused
        let removed = Set(absorbed.filter { $0 != last } + [index])
        for name in [y] + absorbed.filter({ $0 != last }).map({ graph.nodes[$0].outputs[0] }) { graph.valueInfo[name] = nil }
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        M.removeUnusedInitializers(Array(Set(node.inputs + absorbedInputs + newInitializers)), from: &graph)
        fusedOutputs.insert(current)
        context.applied(([core.label] + parts).joined(separator: "+"), by: self, at: node, nodes: absorbed.count + 1, into: fused)
        return isCustom
    }

    private func core(_ node: Node) -> Core? {
        if M.isStandard(node) {
            switch node.opType {
            case "Conv": return .conv
            case "Gemm": return .gemm
            case "MatMul": return .matMul
            default: return nil
            }
        }
        if node.domain == M.domain, node.opType == "FusedMatMul", !node.hasAttribute("activation"),
           !node.hasAttribute("has_residual"), node.inputs.count <= 2 || node.inputs[2].isEmpty {
            return .fusedMatMul
        }
        // A fused dynamic-quantization chain (its W_scale is input 4, so slots 2 and 3 exist).
        if node.domain == M.domain, node.opType == "Int8MatMul", !node.hasAttribute("activation"),
           !node.hasAttribute("has_residual"), node.inputs.count == 5, node.inputs[2].isEmpty, node.inputs[3].isEmpty {
            return .int8MatMul
        }
        return nil
    }

    private func hasBias(_ node: Node) -> Bool { node.inputs.count > 2 && !node.inputs[2].isEmpty }

    private func isEpilogueCandidate(_ node: Node) -> Bool {
        M.isStandard(node) && (node.opType == "Add" || activationNames.contains(node.opType))
    }

    private let activationNames: Set<String> = ["Relu", "Clip", "Sigmoid", "Tanh", "LeakyRelu", "HardSwish", "HardSigmoid", "Gelu"]

    /// `Add(y, k)` / `Add(k, y)` with k a constant varying along the channel axis only.
    private func constantAddend(_ node: Node, _ y: String, channels: Int, channelAxis: Int, rank: Int,
                                graph: Graph) -> ([Float], String)? {
        guard M.isStandard(node), node.opType == "Add", node.inputs.count == 2,
              node.inputs.filter({ $0 == y }).count == 1 else { return nil }
        let other = node.inputs[0] == y ? node.inputs[1] : node.inputs[0]
        guard let t = graph.constant(other),
              let values = M.perChannel(t, channels: channels, channelAxis: channelAxis, outputRank: rank) else { return nil }
        return (values, other)
    }

    /// The node with `bias` added to what it computes (nil when its existing bias is not constant).
    private func mergeBias(_ bias: [Float], into node: Node, core: Core, channels: Int, graph: inout Graph,
                           created: inout [String]) -> Node? {
        var node = node
        // Y = alpha AB + beta C: fold the old C (scaled by beta) into the new per-channel bias.
        let scaleOld: Double = core == .gemm ? Double((try? node.float("beta", default: 1)) ?? 1) : 1
        var values = bias
        if hasBias(node) {
            let channelAxis = core == .conv ? 0 : (graph.constant(node.inputs[2])?.rank ?? 1) - 1
            guard let old = graph.constant(node.inputs[2]),
                  let oldValues = M.perChannel(old, channels: channels, channelAxis: max(0, channelAxis),
                                               outputRank: max(1, old.rank)) else { return nil }
            values = zip(values, oldValues).map { Float(Double($0) + scaleOld * Double($1)) }
        }
        let base = hasBias(node) ? node.inputs[2] : node.inputs[1] + "_bias"
        let name = M.addInitializer(values, shape: [channels], base: base + "_fused", to: &graph)
        created.append(name)
        while node.inputs.count < 3 { node.inputs.append("") }
        node.inputs[2] = name
        if core == .gemm { node.attributes["beta"] = .float(1) }
        return node
    }

    /// `Add(y, r)` / `Add(r, y)` where r is a computed value of y's exact shape: a residual.
    private func residualOperand(_ node: Node, _ y: String, graph: Graph) -> String? {
        guard M.isStandard(node), node.opType == "Add", node.inputs.count == 2,
              node.inputs.filter({ $0 == y }).count == 1 else { return nil }
        let other = node.inputs[0] == y ? node.inputs[1] : node.inputs[0]
        guard let a = M.type(of: y, in: graph), let b = M.type(of: other, in: graph), a.dtype == b.dtype,
              let sa = a.shape, let sb = b.shape, sa == sb, !sa.contains(.unknown),
              let out = M.type(of: node.outputs[0], in: graph)?.shape, out == sa else { return nil }
        return other
    }

    /// SiLU as PyTorch exports it: `s = Sigmoid(v)` and `Mul(v, s)` (in either order) are the
    /// only readers of `v`, and that Mul the only reader of `s`. The Sigmoid's and the Mul's indices.
    private func siluPair(of v: String, in graph: Graph, counts: [String: Int]) -> (sigmoid: Int, mul: Int)? {
        guard counts[v] == 2, !graph.graphOutputNames.contains(v) else { return nil }
        let readers = graph.nodes.indices.filter { graph.nodes[$0].inputs.contains(v) }
        guard readers.count == 2,
              let s = readers.first(where: { M.isStandard(graph.nodes[$0]) && graph.nodes[$0].opType == "Sigmoid" }),
              let m = readers.first(where: { $0 != s }) else { return nil }
        let sigmoid = graph.nodes[s], mul = graph.nodes[m]
        guard sigmoid.inputs == [v], sigmoid.outputs.count == 1, M.isStandard(mul), mul.opType == "Mul",
              mul.outputs.count == 1, mul.inputs.count == 2, Set(mul.inputs) == [v, sigmoid.outputs[0]],
              counts[sigmoid.outputs[0]] == 1, !graph.graphOutputNames.contains(sigmoid.outputs[0]) else { return nil }
        return (s, m)
    }

    /// The activation a node applies, when it is one the fused kernels implement with constant parameters.
    private func activation(_ node: Node, graph: Graph, opsets: Model) -> FusedActivation? {
        let isGelu = node.opType == "Gelu" && (M.isStandard(node) || node.domain == M.domain)
        guard M.isStandard(node) || isGelu, node.outputs.count == 1, !node.inputs.isEmpty else { return nil }
        switch node.opType {
        case "Relu", "Sigmoid", "Tanh", "HardSwish":
            return FusedActivation(name: node.opType)
        case "LeakyRelu":
            guard let alpha = try? node.float("alpha", default: 0.01) else { return nil }
            return FusedActivation(name: "LeakyRelu", params: [alpha])
        case "HardSigmoid":
            guard let alpha = try? node.float("alpha", default: 0.2), let beta = try? node.float("beta", default: 0.5) else { return nil }
            return FusedActivation(name: "HardSigmoid", params: [alpha, beta])
        case "Gelu":
            switch (try? node.string("approximate", default: "none")) ?? "?" {
            case "none": return FusedActivation(name: "Gelu")
            case "tanh": return FusedActivation(name: "GeluTanh")
            default: return nil
            }
        case "Clip":
            if (opsets.opset(for: node) ?? 11) < 11 {
                guard let lo = try? node.float("min", default: -.infinity), let hi = try? node.float("max", default: .infinity)
                else { return nil }
                return FusedActivation(name: "Clip", params: [lo, hi])
            }
            func bound(_ i: Int, _ missing: Float) -> Float? {
                guard i < node.inputs.count, !node.inputs[i].isEmpty else { return missing }
                guard let t = graph.constant(node.inputs[i]), t.count == 1, let v = M.floats(t) else { return nil }
                return v[0]
            }
            guard let lo = bound(1, -.infinity), let hi = bound(2, .infinity) else { return nil }
            return FusedActivation(name: "Clip", params: [lo, hi])
        default:
            return nil
        }
    }
}
