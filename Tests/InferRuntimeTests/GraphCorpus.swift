import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// Every model under `Graphs/` that comes with ONNX Runtime's outputs, found from the folders so a
/// new model is covered without editing a list: `Graphs/diff/*`, `Graphs/models/*`,
/// `Graphs/bench/*`, `Graphs/attention/*` and `Graphs/old-opsets/*` (ONNX test directories; the
/// old-opset ones hold onnx.reference or converted-model outputs, see each `source.txt`), and
/// `Graphs/*.onnxtxt` with `Graphs/expected/<name>/`.
struct CorpusCase: Sendable, CustomTestStringConvertible {
    /// "diff/conv_bn", "models/mlp", "bench/resnet", "mlp.onnxtxt".
    let name: String
    let model: URL
    /// The folder holding `test_data_set_*`.
    let dataDirectory: URL
    var testDescription: String { name }

    var isBench: Bool { name.hasPrefix("bench/") }

    /// The `test_data_set_*` folders, in order.
    var dataSets: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path)) ?? []
        return names.filter { $0.hasPrefix("test_data_set_") }.sorted { setIndex($0) < setIndex($1) }
            .map { dataDirectory.appendingPathComponent($0) }
    }
}

private func setIndex(_ folder: String) -> Int { Int(folder.dropFirst("test_data_set_".count)) ?? 0 }

/// One data set read against its model: inputs by graph-input name, expected outputs by graph-output
/// name, mapped the way `swiftc-infer check` maps them (the TensorProto's name when it names a
/// declared graph input or output, else its position among the required inputs / the outputs).
struct CorpusDataSet {
    let name: String
    let feeds: [String: Tensor]
    let expected: [(name: String, tensor: Tensor)]

    init(_ directory: URL, graph: Graph) throws {
        name = directory.lastPathComponent
        let required = graph.inputs.filter { graph.initializers[$0.name] == nil }.map(\.name)
        var feeds: [String: Tensor] = [:]
        for (k, file) in try Self.files("input_", in: directory).enumerated() {
            let (stored, tensor) = try TensorProtoFile.readNamed(file)
            let declared = graph.inputs.contains { $0.name == stored }
            feeds[declared ? stored : (k < required.count ? required[k] : stored)] = tensor
        }
        let outputs = graph.outputs.map(\.name)
        expected = try Self.files("output_", in: directory).enumerated().map { k, file in
            let (stored, tensor) = try TensorProtoFile.readNamed(file)
            return (outputs.contains(stored) ? stored : (k < outputs.count ? outputs[k] : stored), tensor)
        }
        self.feeds = feeds
    }

    /// Whether this data set feeds a graph input that also has an initializer (overriding its default).
    func overridesInitializer(of graph: Graph) -> Bool {
        feeds.keys.contains { graph.initializers[$0] != nil }
    }

    /// `prefix<K>.pb` files in K order.
    private static func files(_ prefix: String, in directory: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".pb") }
        let index = { (name: String) in Int(name.dropFirst(prefix.count).dropLast(3)) ?? 0 }
        return names.sorted { index($0) < index($1) }.map { directory.appendingPathComponent($0) }
    }
}

enum GraphCorpus {
    static let graphs = ModelFixtures.root.appendingPathComponent("Graphs")

    static let cases: [CorpusCase] = testDirectories("diff") + testDirectories("models") + testDirectories("bench")
        + testDirectories("attention") + testDirectories("old-opsets") + textGraphs()

    static var diffCases: [CorpusCase] { cases.filter { $0.name.hasPrefix("diff/") } }

    /// `Graphs/<folder>/<case>/model.onnx` with its data sets beside it; [] when the folder is missing.
    static func testDirectories(_ folder: String) -> [CorpusCase] {
        let root = graphs.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().compactMap { name in
            let dir = root.appendingPathComponent(name)
            let model = dir.appendingPathComponent("model.onnx")
            guard FileManager.default.fileExists(atPath: model.path) else { return nil }
            return CorpusCase(name: "\(folder)/\(name)", model: model, dataDirectory: dir)
        }
    }

    /// `Graphs/<name>.onnxtxt`, whose data sets are in `Graphs/expected/<name>/`.
    static func textGraphs() -> [CorpusCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: graphs.path)) ?? []
        return names.filter { $0.hasSuffix(".onnxtxt") }.sorted().map { file in
            CorpusCase(name: file, model: graphs.appendingPathComponent(file),
                       dataDirectory: graphs.appendingPathComponent("expected/\(file.dropLast(".onnxtxt".count))"))
        }
    }
}
