import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// Graph inputs that also have an initializer (IR-version-3 models, `keep_initializers_as_inputs`):
/// the initializer is a default the caller may replace. At every level, and through a plan, an
/// unfed input must read its default and a fed one must read the fed value.
///
/// The reference for each case is the same graph written without the ambiguity, run at -O0:
/// unfed, the initializer alone (not listed as an input); fed, the fed value baked in as the
/// initializer. So the expected values never come from the code path under test.
@Suite struct InputDefaultsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let nodes: [Node]
        let x: Tensor
        let defaults: [String: Tensor]
        /// A replacement for one default, of the same type, that changes the output.
        let fed: (name: String, value: Tensor)
        var testDescription: String { name }
    }

    static func values(_ n: Int, seed: Int) -> [Float] {
        (0..<n).map { Float(($0 * 37 + seed * 11) % 23) / 11 - 1 }
    }

    static let cases: [Case] = [
        Case(name: "conv", nodes: [Node(name: "conv", opType: "Conv", inputs: ["x", "W", "B"], outputs: ["y"],
                                        attributes: ["pads": .ints([1, 1, 1, 1])])],
             x: Tensor(shape: [1, 2, 5, 5], exactly: values(50, seed: 1)),
             defaults: ["W": Tensor(shape: [3, 2, 3, 3], exactly: values(54, seed: 2)), "B": Tensor(shape: [3], exactly: values(3, seed: 3))],
             fed: ("W", Tensor(shape: [3, 2, 3, 3], exactly: values(54, seed: 9)))),
        Case(name: "conv+bn+relu", nodes: [
                Node(name: "conv", opType: "Conv", inputs: ["x", "W"], outputs: ["c"]),
                Node(name: "bn", opType: "BatchNormalization", inputs: ["c", "scale", "bias", "mean", "var"], outputs: ["b"]),
                Node(name: "relu", opType: "Relu", inputs: ["b"], outputs: ["y"]),
             ],
             x: Tensor(shape: [1, 2, 4, 4], exactly: values(32, seed: 4)),
             defaults: ["W": Tensor(shape: [3, 2, 1, 1], exactly: values(6, seed: 5)),
                        "scale": Tensor(shape: [3], exactly: [Float](arrayLiteral: 1.5, -0.5, 2)),
                        "bias": Tensor(shape: [3], exactly: [Float](arrayLiteral: 0.1, 0.2, -0.3)),
                        "mean": Tensor(shape: [3], exactly: [Float](arrayLiteral: 0.05, -0.1, 0)),
                        "var": Tensor(shape: [3], exactly: [Float](arrayLiteral: 1, 0.5, 2))],
             fed: ("scale", Tensor(shape: [3], exactly: [Float](arrayLiteral: -1, 3, 0.25)))),
        Case(name: "gemm", nodes: [Node(name: "fc", opType: "Gemm", inputs: ["x", "W", "C"], outputs: ["y"],
                                        attributes: ["transB": .int(1)])],
             x: Tensor(shape: [2, 4], exactly: values(8, seed: 6)),
             defaults: ["W": Tensor(shape: [3, 4], exactly: values(12, seed: 7)), "C": Tensor(shape: [3], exactly: values(3, seed: 8))],
             fed: ("C", Tensor(shape: [3], exactly: [Float](arrayLiteral: 5, -5, 7)))),
        Case(name: "matmul+add", nodes: [
                Node(name: "mm", opType: "MatMul", inputs: ["x", "W"], outputs: ["h"]),
                Node(name: "add", opType: "Add", inputs: ["h", "b"], outputs: ["y"]),
             ],
             x: Tensor(shape: [1, 4], exactly: values(4, seed: 10)),
             defaults: ["W": Tensor(shape: [4, 5], exactly: values(20, seed: 11)), "b": Tensor(shape: [5], exactly: values(5, seed: 12))],
             fed: ("W", Tensor(shape: [4, 5], exactly: values(20, seed: 13)))),
        Case(name: "prelu", nodes: [Node(name: "prelu", opType: "PRelu", inputs: ["x", "slope"], outputs: ["y"])],
             x: Tensor(shape: [1, 3, 2, 2], exactly: values(12, seed: 14)),
             defaults: ["slope": Tensor(shape: [3, 1, 1], exactly: [Float](arrayLiteral: 0.1, 0.5, 2))],
             fed: ("slope", Tensor(shape: [3, 1, 1], exactly: [Float](arrayLiteral: -3, 0.25, 4)))),
    ]

    /// The case's graph with its initializers listed as inputs too (the ambiguous form).
    static func modelWithDefaults(_ c: Case) -> Model {
        var model = modelWithoutDefaults(c, initializers: c.defaults)
        model.graph.inputs += c.defaults.keys.sorted().map { ValueInfo(name: $0, type: c.defaults[$0]!.type) }
        return model
    }

    static func modelWithoutDefaults(_ c: Case, initializers: [String: Tensor]) -> Model {
        let graph = Graph(name: c.name,
                          inputs: [ValueInfo(name: "x", type: c.x.type)],
                          outputs: [ValueInfo(name: "y", type: ValueType(dtype: .float32, shape: nil))],
                          initializers: initializers, nodes: c.nodes)
        return Model(irVersion: 3, opsetImports: ["": 13], graph: graph)
    }

    /// -O0 on the unambiguous graph: the default, or the fed value, as a plain initializer.
    static func reference(_ c: Case, feeding: Bool) throws -> Tensor {
        var initializers = c.defaults
        if feeding { initializers[c.fed.name] = c.fed.value }
        return try Engine(model: modelWithoutDefaults(c, initializers: initializers), optimization: .none).run(["x": c.x])["y"]!
    }

    static func expectClose(_ got: Tensor?, _ want: Tensor, _ what: String) {
        guard let got else { Issue.record("\(what): no output"); return }
        let cmp = TensorComparison(actual: got, expected: want, rtol: 1e-5, atol: 1e-6)
        #expect(cmp.passed, "\(what): \(cmp)")
    }

    @Test(arguments: cases) func unfedReadsTheDefaultAndFedValueWins(_ c: Case) throws {
        let unfed = try Self.reference(c, feeding: false), fed = try Self.reference(c, feeding: true)
        // The fed value must matter, or this case proves nothing.
        #expect(!TensorComparison(actual: fed, expected: unfed, rtol: 1e-3, atol: 1e-3).passed, "\(c.name): fed value does not change the output")
        for level in OptimizationLevel.allCases {
            let engine = try Engine(model: Self.modelWithDefaults(c), optimization: level)
            #expect(engine.inputs.map(\.name) == ["x"])
            #expect(engine.optionalInputs.map(\.name) == c.defaults.keys.sorted())
            // Alternate so a cached program for one feed set never answers for the other.
            for round in 0..<2 {
                Self.expectClose(try engine.run(["x": c.x])["y"], unfed, "\(c.name) -O\(level.rawValue) unfed, round \(round)")
                Self.expectClose(try engine.run(["x": c.x, c.fed.name: c.fed.value])["y"], fed, "\(c.name) -O\(level.rawValue) fed \(c.fed.name), round \(round)")
            }
        }
    }

    @Test(arguments: cases) func planRecordsFoldedDefaultsAndHonoursFedOnes(_ c: Case) throws {
        let unfed = try Self.reference(c, feeding: false), fed = try Self.reference(c, feeding: true)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("input-defaults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for level in OptimizationLevel.allCases {
            let compiled = try Engine(model: Self.modelWithDefaults(c), optimization: level)
            let file = dir.appendingPathComponent("p\(level.rawValue).plan")
            _ = try PlanWriter.write(compiled, to: file)
            let loaded = try PlanReader.load(file)
            if level == .none {
                #expect(loaded.source == nil, "-O0 keeps the defaults in the graph itself")
            } else {
                #expect(Set(loaded.model.graph.inputs.map(\.name)) == ["x"], "-O\(level.rawValue): defaults folded")
                #expect(loaded.source?.graph.defaultedInputNames == c.defaults.keys.sorted(), "-O\(level.rawValue): source recorded")
            }
            let engine = try Engine(contentsOf: file)
            #expect(engine.optionalInputs.map(\.name) == c.defaults.keys.sorted())
            Self.expectClose(try engine.run(["x": c.x])["y"], unfed, "\(c.name) plan -O\(level.rawValue) unfed")
            Self.expectClose(try engine.run(["x": c.x, c.fed.name: c.fed.value])["y"], fed, "\(c.name) plan -O\(level.rawValue) fed")
        }
    }

    @Test func optimizerFoldsOnlyUnfedDefaults() throws {
        let c = Self.cases[0]
        let (folded, report) = try Compiler.optimize(Self.modelWithDefaults(c), level: .full)
        #expect(report.foldedInputDefaults == ["B", "W"])
        #expect(folded.graph.inputs.map(\.name) == ["x"])
        #expect(folded.graph.defaultedInputNames.isEmpty)
        let (live, liveReport) = try Compiler.optimize(Self.modelWithDefaults(c), level: .full, liveInputs: ["W"])
        #expect(liveReport.foldedInputDefaults == ["B"])
        #expect(live.graph.inputs.map(\.name).sorted() == ["W", "x"])
        #expect(live.graph.initializers["W"] == nil, "a live input has no initializer left for a pass to read")
    }

    @Test func fedDefaultsCompileOnceAndStayBounded() throws {
        let c = Self.cases[2]
        let engine = try Engine(model: Self.modelWithDefaults(c), options: .init(optimization: .full, planCacheCapacity: 2))
        _ = try engine.run(["x": c.x])
        #expect(engine.planCount == 1)
        for _ in 0..<3 { _ = try engine.run(["x": c.x, "C": c.fed.value]) }
        #expect(engine.planCount == 2, "one more program for the fed set, reused")
        for name in ["W", "C"] { _ = try engine.run(["x": c.x, name: c.defaults[name]!]) }
        _ = try engine.run(["x": c.x, "W": c.defaults["W"]!, "C": c.defaults["C"]!])
        #expect(try #require(engine.fedDefaults).all.count <= 2, "fed-set programs are an LRU of planCacheCapacity")
    }

    @Test func wrongFedDefaultIsRefusedByName() throws {
        let c = Self.cases[2]
        let engine = try Engine(model: Self.modelWithDefaults(c), optimization: .full)
        #expect(throws: InferError.self) { try engine.run(["x": c.x, "C": Tensor(shape: [4], scalars: [Float](repeating: 0, count: 4))]) }
        do {
            _ = try engine.run(["x": c.x, "C": Tensor(shape: [4], scalars: [Float](repeating: 0, count: 4))])
            Issue.record("expected a shape error for the fed default")
        } catch {
            #expect(error.kind == .invalidShape)
            #expect(error.message.contains("\"C\""), "\(error.message)")
        }
        do {
            _ = try engine.run([:])
            Issue.record("expected a missing-input error")
        } catch {
            #expect(error.message == "missing input \"x\"; expected x: float[2,4]; optional (with defaults): C: float[3], W: float[3,4]")
        }
    }
}
