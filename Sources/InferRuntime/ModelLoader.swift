import Foundation
import InferIR
import InferONNX

/// Reads a model file: a compiled plan when it starts with the plan magic (its optimized
/// model), else by extension `.onnxtxt` / `.txt` as ONNX text, anything else as ONNX protobuf.
/// Errors name the file.
package enum ModelLoader {
    package static func load(_ url: URL) throws -> Model { try loadWithPlan(url).model }

    /// The model and, when the file is a compiled plan, the loaded plan.
    package static func loadWithPlan(_ url: URL) throws -> (model: Model, plan: LoadedPlan?) {
        if PlanReader.isPlan(url) {
            let plan = try PlanReader.load(url)
            return (plan.model, plan)
        }
        return (try loadSource(url), nil)
    }

    private static func loadSource(_ url: URL) throws -> Model {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InferError(.io, "\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw InferError(.io, "\(path): is a directory, expected a model file") }
        do {
            switch url.pathExtension.lowercased() {
            case "onnxtxt", "txt":
                let data = try Data(contentsOf: url)
                guard let text = String(data: data, encoding: .utf8) else {
                    throw InferError(.parse, "not UTF-8 text")
                }
                return try ONNXTextParser.parseModel(text)
            default:
                return try ONNXImporter.importModel(contentsOf: url)
            }
        } catch let error as InferError {
            throw error.message.hasPrefix(path) ? error : error.prefixed(path)
        } catch {
            throw InferError(.io, "\(path): \(error.localizedDescription)")
        }
    }
}
