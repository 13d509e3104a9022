import Foundation
import InferIR

/// What `swiftc-infer inspect` prints: a model's interface, op histogram, parameters and cost.
///
/// ```swift
/// let inspection = try ModelInspection(contentsOf: url, dims: ["batch": 1])
/// print(inspection.report())
/// ```
package struct ModelInspection {
    package let path: String
    package let model: Model
    /// The model with symbolic dims bound and every value's type inferred (nil if inference failed).
    package let inferred: Model?
    package let inferenceError: String?
    package let bindings: [String: Int]
    /// Set when the file is a compiled plan: its header, and the program it stores.
    package let planHeader: PlanHeader?
    package let program: PlanProgramSummary?
    /// Inputs with a default (an initializer of the same name; a plan folded them into constants).
    package let optionalInputs: [ValueInfo]

    package init(contentsOf url: URL, dims: [String: Int] = [:]) throws {
        path = url.path
        let loaded = try ModelLoader.loadWithPlan(url)
        model = loaded.model
        planHeader = loaded.plan?.header
        program = loaded.plan.flatMap { PlanProgramSummary.decode($0.program) }
        optionalInputs = InputSignature((loaded.plan?.source ?? loaded.model).graph).optional
        // A model the engine would refuse is an error here too (exit 1), not a report.
        try ModelValidation.validate(model)
        var bound = model.bindingSymbols(dims, default: 1)
        bindings = Dictionary(uniqueKeysWithValues: model.inputSymbols.map { ($0, dims[$0] ?? 1) })
        do {
            try ShapeInference.run(&bound, evaluate: NodeExecution.constantEvaluator)
            inferred = bound
            inferenceError = nil
        } catch let error as InferError {
            inferred = nil
            inferenceError = error.message
        }
    }

    /// The memory plan the engine would use for these dims: the graph as it runs (-O2 for a
    /// source model, as stored for a plan), lowered for the bound shapes.
    func memoryPlanLine() -> String {
        guard let inferred else { return "memory plan: unknown (shape inference failed)" }
        do {
            // As `CompiledModel.buildPlan` does: a plan is re-canonicalized once its dims are bound.
            let runnable = try Compiler.optimize(inferred, level: planHeader == nil ? .full : .canonicalize).0
            let plan = try Program(model: runnable, layout: .planned)
            let m = plan.memory
            let ratio = m.lowerBoundBytes > 0 ? String(format: "%.3f", Double(m.arenaBytes) / Double(m.lowerBoundBytes)) : "-"
            let dynamic = plan.dynamicStepCount == 0 ? ""
                : " (\(plan.dynamicStepCount) sized at run time, first because \(plan.dynamicReason ?? "a shape depends on data"))"
            return "memory plan: \(plan.steps.count) kernel steps\(dynamic), arena \(Self.formatBytes(m.arenaBytes)), "
                + "unplanned \(Self.formatBytes(m.unplannedBytes)), lower bound \(Self.formatBytes(m.lowerBoundBytes)) (arena / bound \(ratio))"
        } catch let error as InferError {
            return "memory plan: none (\(error.message))"
        } catch {
            return "memory plan: none (\(error))"
        }
    }

    package var opHistogram: [(op: String, count: Int)] {
        Dictionary(grouping: model.graph.nodes, by: \.qualifiedOpType).map { ($0.key, $0.value.count) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.op < $1.op }
    }

    package var parameterCount: Int { model.graph.initializers.values.reduce(0) { $0 + $1.count } }
    package var parameterBytes: Int { model.graph.initializers.values.reduce(0) { $0 + $1.byteCount } }
    /// nil when shapes stay unknown, or the count overflows (absurd shapes).
    package var flops: Int? { inferred.flatMap { try? CostModel.totalFLOPs(of: $0.graph) } }

    /// One line per node: `name (Op): out1 float[1,128,256], ...`, from the bound, inferred graph.
    package func typeListing() -> String {
        guard let graph = inferred?.graph else { return "types: unknown (shape inference failed: \(inferenceError ?? "?"))" }
        return graph.nodes.map { node in
            let outs = node.outputs.filter { !$0.isEmpty }.map { "\($0) \(graph.valueInfo[$0]?.description ?? "?")" }
            return "  \(node.name.isEmpty ? "-" : node.name) (\(node.qualifiedOpType)): \(outs.joined(separator: ", "))"
        }.joined(separator: "\n")
    }

    package func report() -> String {
        var lines: [String] = []
        let opsets = model.opsetImports.sorted { $0.key < $1.key }.map { "\($0.key.isEmpty ? "ai.onnx" : $0.key) \($0.value)" }
        lines.append("model: \(path)")
        if let h = planHeader {
            let sections = h.sectionBytes.map { "\($0.name) \(Self.formatBytes($0.bytes))" }.joined(separator: ", ")
            lines.append("plan: format \(h.formatVersion), written by \(h.compilerVersion), -O\(h.optimizationLevel), \(Self.formatBytes(h.fileBytes)) (\(sections)), checksum 0x\(String(h.checksum, radix: 16))")
            if let provenance = h.provenance { lines.append("  \(provenance.description)") }
            if let p = program {
                let bound = p.bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                lines.append("  program: \(p.steps.count) kernel steps\(bound.isEmpty ? "" : " (with \(bound))"); arena \(Self.formatBytes(p.arenaBytes)), unplanned \(Self.formatBytes(p.unplannedBytes)), lower bound \(Self.formatBytes(p.lowerBoundBytes))")
            } else {
                lines.append("  program: none stored (static plans are built on first use)")
            }
        }
        lines.append("  ir_version \(model.irVersion), opsets: \(opsets.joined(separator: ", "))\(model.producerName.isEmpty ? "" : ", producer \(model.producerName) \(model.producerVersion)")")
        lines.append("inputs:")
        for i in model.graph.inputs where model.graph.initializers[i.name] == nil { lines.append("  \(i.name): \(i.type)") }
        if !optionalInputs.isEmpty {
            lines.append("optional inputs (each has an initializer as its default; a fed value replaces it):")
            for i in optionalInputs { lines.append("  \(i.name): \(i.type)") }
        }
        lines.append("outputs:")
        for o in model.graph.outputs {
            let inferredType = inferred?.graph.valueInfo[o.name].map { " (inferred \($0))" } ?? ""
            lines.append("  \(o.name): \(o.type)\(inferredType)")
        }
        lines.append("nodes: \(model.graph.nodes.count)")
        for (op, n) in opHistogram { lines.append("  \(op.padding(toLength: max(24, op.count), withPad: " ", startingAt: 0)) \(n)") }
        lines.append("parameters: \(parameterCount) (\(Self.formatBytes(parameterBytes)) in \(model.graph.initializers.count) initializers)")
        let bound = bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        if let flops {
            lines.append("FLOPs per run: \(Self.formatCount(flops))\(bound.isEmpty ? "" : " (with \(bound))")")
        } else {
            lines.append("FLOPs per run: unknown (shape inference failed: \(inferenceError ?? "?"))")
        }
        lines.append(memoryPlanLine())
        lines.append(BLASRuntime.summary(threads: BLASRuntime.threadCount))
        return lines.joined(separator: "\n")
    }

    static func formatBytes(_ n: Int) -> String {
        if n >= 1 << 20 { return String(format: "%.2f MiB", Double(n) / 1048576) }
        if n >= 1 << 10 { return String(format: "%.1f KiB", Double(n) / 1024) }
        return "\(n) B"
    }

    static func formatCount(_ n: Int) -> String {
        if n >= 1_000_000_000 { return String(format: "%.2f G", Double(n) / 1e9) }
        if n >= 1_000_000 { return String(format: "%.2f M", Double(n) / 1e6) }
        if n >= 1_000 { return String(format: "%.1f K", Double(n) / 1e3) }
        return "\(n)"
    }
}
