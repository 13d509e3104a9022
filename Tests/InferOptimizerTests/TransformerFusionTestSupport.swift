import InferIR
import Testing
@testable import InferOptimizer

/// Golden-test helper for the transformer fusions: parse ONNX text, infer shapes, run one pass,
/// infer shapes again (the fused nodes must type-check) and print the result.
enum FusionGolden {
    struct Outcome {
        var text: String
        var changed: Bool
        var fusions: [String: Int]
        var declined: [String]
    }

    static func run(_ pass: any Pass, on source: String) throws -> Outcome {
        var model = try ONNXTextParser.parseModel(source)
        try ShapeInference.run(&model)
        let context = PassContext()
        let changed = try pass.run(on: &model, context: context)
        try ShapeInference.run(&model)
        model.graph.valueInfo = [:]
        return Outcome(text: ONNXTextPrinter.print(model), changed: changed, fusions: context.fusions, declined: context.declined)
    }

    /// The source with no value_info, as printed: what an unchanged graph prints as.
    static func normalized(_ source: String) throws -> String {
        var model = try ONNXTextParser.parseModel(source)
        model.graph.valueInfo = [:]
        return ONNXTextPrinter.print(model)
    }

    /// Compares line by line so a failure shows the first differing line.
    static func expectText(_ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        if let i = zip(a, e).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("line \(i + 1) differs:\n  actual:   \(a[i])\n  expected: \(e[i])\n--- actual ---\n\(actual)", sourceLocation: sourceLocation)
        } else if a.count != e.count {
            Issue.record("line counts differ (\(a.count) vs \(e.count))\n--- actual ---\n\(actual)", sourceLocation: sourceLocation)
        }
    }
}
