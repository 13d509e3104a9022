import Foundation
import InferIR
import InferRuntime

/// What `compile` reports: pass records, fusions, the memory plan and sizes, as text or JSON.
struct CompileSummary {
    let nodesBefore: Int
    let nodesAfter: Int
    let opsAfter: [String: Int]
    let passes: [CompilationReport.PassRecord]
    let fusions: [String: Int]
    let declined: [String]
    let decisions: [String]
    let memory: PlanProgramSummary?
    let memoryProblem: String?
    let bindings: [String: Int]
    /// nil when no plan was written (only --emit-onnx).
    let planBytes: Int?
    let compileMS: Double

    init(engine: Engine, sourceNodes: Int, memory: PlanProgramSummary?, memoryProblem: String?,
         bindings: [String: Int], planBytes: Int?, compileMS: Double) {
        let report = engine.compilation
        nodesBefore = report?.nodesBefore ?? sourceNodes
        nodesAfter = report?.nodesAfter ?? engine.model.graph.nodes.count
        opsAfter = report?.opsAfter ?? Dictionary(grouping: engine.model.graph.nodes, by: \.qualifiedOpType).mapValues(\.count)
        passes = report?.passes ?? []
        fusions = report?.fusions ?? [:]
        declined = report?.declined ?? []
        decisions = report?.decisions ?? []
        self.memory = memory
        self.memoryProblem = memoryProblem
        self.bindings = bindings
        self.planBytes = planBytes
        self.compileMS = compileMS
    }

    func jsonObject() -> [String: Any] {
        var object: [String: Any] = [
            "nodes_before": nodesBefore, "nodes_after": nodesAfter, "ops_after": opsAfter, "fusions": fusions,
            "passes": passes.map { ["name": $0.name, "ms": $0.milliseconds, "nodes_after": $0.nodesAfter] as [String: Any] },
            "declined": declined, "decisions": decisions, "plan_bytes": planBytes.map { $0 as Any } ?? NSNull(),
            "compile_ms": compileMS, "bindings": bindings,
        ]
        if let m = memory {
            object["arena_bytes"] = m.arenaBytes
            object["unplanned_bytes"] = m.unplannedBytes
            object["lower_bound_bytes"] = m.lowerBoundBytes
            object["kernel_steps"] = m.steps.count
            object["conv_algorithms"] = Dictionary(m.steps.compactMap { s in s.algorithm.map { (s.name, $0) } }) { a, _ in a }
            object["dynamic_steps"] = m.dynamicSteps ?? 0
        } else {
            object["arena_bytes"] = NSNull()
            object["unplanned_bytes"] = NSNull()
            object["lower_bound_bytes"] = NSNull()
            object["memory_plan_unavailable"] = memoryProblem ?? "unknown"
        }
        return object
    }

    func reportText() -> String {
        var out = "passes (\(passes.count) runs):\n"
        let width = max(24, passes.map(\.name.count).max() ?? 0)
        for p in passes {
            out += "  \(p.name.padding(toLength: width, withPad: " ", startingAt: 0)) \(String(format: "%9.3f ms", p.milliseconds))  \(p.nodesAfter) nodes\n"
        }
        if passes.isEmpty { out += "  (none at -O0)\n" }
        out += "fusions applied:\n"
        for (kind, n) in fusions.sorted(by: { $0.key < $1.key }) { out += "  \(kind.padding(toLength: max(24, kind.count), withPad: " ", startingAt: 0)) \(n)\n" }
        if fusions.isEmpty { out += "  (none)\n" }
        let bound = bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        out += "memory plan\(bound.isEmpty ? "" : " (with \(bound))"):\n"
        if let m = memory {
            func ratio(_ a: Int, _ b: Int) -> String { b == 0 ? "n/a" : String(format: "%.3f", Double(a) / Double(b)) }
            let dynamic = m.dynamicSteps ?? 0
            out += "  kernel steps    \(m.steps.count)\(dynamic > 0 ? " (\(dynamic) sized at run time: their shapes depend on data)" : "")\n"
            out += "  arena           \(m.arenaBytes) bytes\n"
            out += "  unplanned sum   \(m.unplannedBytes) bytes (arena / unplanned = \(ratio(m.arenaBytes, m.unplannedBytes)))\n"
            out += "  lower bound     \(m.lowerBoundBytes) bytes (arena / lower bound = \(ratio(m.arenaBytes, m.lowerBoundBytes)))\n"
            let convs = m.steps.filter { $0.algorithm != nil }
            if !convs.isEmpty {
                let counts = Dictionary(grouping: convs, by: { $0.algorithm! }).map { "\($0.key) \($0.value.count)" }.sorted()
                out += "convolution algorithms (\(counts.joined(separator: ", "))):\n"
                let label = { (step: PlanProgramSummary.Step) in step.name.isEmpty ? step.op : step.name }
                let width = convs.map { label($0).count }.max() ?? 0
                for step in convs {
                    let size = step.outputs.first.map { " (output \($0.bytes) bytes)" } ?? ""
                    out += "  \(label(step).padding(toLength: width, withPad: " ", startingAt: 0))  \(step.algorithm!)\(size)\n"
                }
            }
        } else {
            out += "  unavailable: \(memoryProblem ?? "unknown")\n"
        }
        return out
    }

    /// One line per candidate node of every fusion pass, in pass order: the fusion applied, or the
    /// first condition of its pattern that failed.
    func explainText() -> String {
        var out = "fusion decisions (one per candidate node):\n"
        for line in decisions { out += "  \(line)\n" }
        if decisions.isEmpty { out += "  (none: no fusion pass ran)\n" }
        return out
    }
}
