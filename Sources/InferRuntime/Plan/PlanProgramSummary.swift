import Foundation
import InferIR

/// The lowered program of a plan for one concrete input binding, as stored in the plan's
/// `program` section: each kernel step with where its outputs live in the arena, and the
/// memory plan's totals. Informational (shown by `inspect`); the engine rebuilds static plans
/// per input shapes on first use, which is cheap next to compiling.
package struct PlanProgramSummary: Codable, Sendable, Equatable {
    package struct Output: Codable, Sendable, Equatable {
        package let name: String
        package let offset: Int
        package let bytes: Int
    }

    package struct Step: Codable, Sendable, Equatable {
        package let op: String
        package let name: String
        package let outputs: [Output]
        /// For a convolution: the algorithm it runs (`im2col`, `winograd`, `pointwise`,
        /// `depthwise`); nil for other steps and in plans written before it was recorded.
        package let algorithm: String?
    }

    /// Symbolic dims bound to build this program (empty when the model is fully static).
    package let bindings: [String: Int]
    package let inputShapes: [String: [Int]]
    package let steps: [Step]
    package let arenaBytes: Int
    package let unplannedBytes: Int
    package let lowerBoundBytes: Int
    /// Steps that size their outputs at run time (data-dependent shapes); nil in plans written
    /// before it was recorded.
    package let dynamicSteps: Int?

    package init(plan: Program, bindings: [String: Int]) {
        self.bindings = bindings
        var shapes: [String: [Int]] = [:]
        for (name, slot, _) in plan.inputs {
            if case .arena(_, _, let shape) = slot { shapes[name] = shape }
        }
        inputShapes = shapes
        steps = plan.steps.map { step in
            let outputs = zip(step.node.outputs, step.outputs).compactMap { name, slot -> Output? in
                guard case .arena(let offset, let dtype, let shape)? = slot else { return nil }
                return Output(name: name, offset: offset, bytes: (elementCount(shape) ?? 0) * dtype.byteSize)
            }
            return Step(op: step.node.qualifiedOpType, name: step.node.name, outputs: outputs,
                        algorithm: ConvSetup.algorithm(of: step).map { "\($0)" })
        }
        arenaBytes = plan.memory.arenaBytes
        unplannedBytes = plan.memory.unplannedBytes
        lowerBoundBytes = plan.memory.lowerBoundBytes
        dynamicSteps = plan.dynamicStepCount
    }

    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// nil when the section is empty or does not decode (it is informational only).
    package static func decode(_ data: Data) -> PlanProgramSummary? {
        data.isEmpty ? nil : try? JSONDecoder().decode(PlanProgramSummary.self, from: data)
    }
}
