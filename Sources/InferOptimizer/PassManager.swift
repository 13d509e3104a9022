import Foundation
import InferIR

/// Runs a pipeline of passes, recording per pass its time and node count after it. In debug
/// builds the verifier and shape inference run after every pass and a failure names the pass.
package struct PassManager {
    package struct Record: Sendable {
        package let name: String
        package let milliseconds: Double
        package let nodesAfter: Int
        package let changed: Bool
    }

    package let pipeline: Pipeline
    package private(set) var records: [Record] = []

    package init(pipeline: Pipeline) { self.pipeline = pipeline }

    package mutating func run(_ model: inout Model, context: PassContext) throws {
        try ShapeInference.run(&model, evaluate: context.evaluate)
        for stage in pipeline.stages {
            switch stage {
            case .once(let pass):
                _ = try runPass(pass, on: &model, context: context)
            case .fixedPoint(let passes, let maxRounds):
                for _ in 0..<maxRounds {
                    var changed = false
                    for pass in passes { changed = try runPass(pass, on: &model, context: context) || changed }
                    if !changed { break }
                }
            }
        }
    }

    private mutating func runPass(_ pass: any Pass, on model: inout Model, context: PassContext) throws -> Bool {
        let start = DispatchTime.now().uptimeNanoseconds
        let changed = try pass.run(on: &model, context: context)
        if changed {
            do {
                try ShapeInference.run(&model, evaluate: context.evaluate)
            } catch let error as InferError {
                throw error.prefixed("after pass \(pass.name)")
            }
        }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        records.append(Record(name: pass.name, milliseconds: ms, nodesAfter: model.graph.nodes.count, changed: changed))
        return changed
    }
}
