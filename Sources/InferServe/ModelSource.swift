import InferServeProtocol
import Foundation

/// One model the server is asked to serve: its name, version, file and (from a Triton model
/// repository's `config.pbtxt`) the settings that override the command line's for it.
struct ModelSource: Equatable, Sendable {
    var name: String
    var version: String
    var file: URL
    var config: TritonModelConfig = TritonModelConfig()

    /// `NAME=PATH` or `PATH`. A path is served under its file name without the extension
    /// (`models/mlp.onnx` → `mlp`), except a file named `model.*`, which takes its folder's
    /// name (`models/resnet/model.onnx` → `resnet`, as ONNX model-zoo folders are laid out).
    static func parse(_ argument: String) throws(ServeError) -> ModelSource {
        var name: String?
        var path = argument
        if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
            name = String(argument[..<equals])
            path = String(argument[argument.index(after: equals)...])
        }
        guard !path.isEmpty else { throw ServeError(.usage, "model '\(argument)' names no file") }
        let file = URL(fileURLWithPath: path)
        let derived: String
        if file.deletingPathExtension().lastPathComponent == "model" {
            derived = file.deletingLastPathComponent().lastPathComponent
        } else {
            derived = file.deletingPathExtension().lastPathComponent
        }
        let source = ModelSource(name: name ?? derived, version: "1", file: file)
        try checkName(source.name, from: argument)
        return source
    }

    /// Names appear in URL paths (`/v2/models/NAME`): keep them to what needs no escaping.
    static func checkName(_ name: String, from origin: String) throws(ServeError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !name.isEmpty, name != ".", name != "..", name.allSatisfy(allowed.contains) else {
            throw ServeError(.usage, "model name '\(name)' (from \(origin)) must be letters, digits, '_', '-' or '.'")
        }
    }

    /// The models of a Triton model repository: `DIR/NAME/VERSION/model.{onnx,onnxtxt,plan}`
    /// with an optional `DIR/NAME/config.pbtxt`. Each model's highest numeric version is served
    /// (Triton's default `latest 1` policy).
    static func repository(_ directory: URL) throws(ServeError) -> [ModelSource] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ServeError(.usage, "model repository \(directory.path) is not a directory")
        }
        let names = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var sources: [ModelSource] = []
        for name in names {
            let folder = directory.appendingPathComponent(name)
            guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            try checkName(name, from: folder.path)
            let versions = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).compactMap(Int.init).filter { $0 >= 0 }
            guard let latest = versions.max() else {
                throw ServeError(.invalidModel, "model repository: \(folder.path) has no numeric version folder (expected \(name)/1/model.onnx)")
            }
            let versionFolder = folder.appendingPathComponent(String(latest))
            let candidates = ["model.plan", "model.onnx", "model.onnxtxt"].map { versionFolder.appendingPathComponent($0) }
            guard let file = candidates.first(where: { fm.fileExists(atPath: $0.path) }) else {
                throw ServeError(.invalidModel, "model repository: \(versionFolder.path) holds no model.plan, model.onnx or model.onnxtxt")
            }
            let configFile = folder.appendingPathComponent("config.pbtxt")
            var config = TritonModelConfig()
            if fm.fileExists(atPath: configFile.path) {
                guard let text = try? String(contentsOf: configFile, encoding: .utf8) else {
                    throw ServeError(.invalidModel, "model repository: cannot read \(configFile.path) as UTF-8 text")
                }
                config = try TritonModelConfig.parse(text, file: configFile.path)
            }
            sources.append(ModelSource(name: name, version: String(latest), file: file, config: config))
        }
        guard !sources.isEmpty else { throw ServeError(.usage, "model repository \(directory.path) holds no model folders") }
        return sources
    }
}
