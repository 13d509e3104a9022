import Foundation
@testable import InferIR
@testable import InferOptimizer

/// Runs one pass on a model written in ONNX text and prints the result (value infos dropped so
/// the golden text shows only the graph the pass produced).
enum LinearFusionGolden {
    static func run(_ pass: any Pass, on text: String) throws -> (text: String, changed: Bool, context: PassContext) {
        var model = try ONNXTextParser.parseModel(text)
        try ShapeInference.run(&model)
        let context = PassContext()
        let changed = try pass.run(on: &model, context: context)
        try ShapeInference.run(&model)  // the rewritten graph must still type-check
        model.graph.valueInfo = [:]
        let printed = ONNXTextPrinter.print(model)
        // Regenerating goldens: LINEAR_FUSION_GOLDEN_DUMP=DIR writes each result there for review.
        if let dir = ProcessInfo.processInfo.environment["LINEAR_FUSION_GOLDEN_DUMP"] {
            let name = "\(pass.name)-\(model.graph.name).onnxtxt"
            try? printed.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return (printed, changed, context)
    }
}
