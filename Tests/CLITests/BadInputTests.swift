import Foundation
import InferIR
import Testing

/// Every malformed input must end in exit status 1 and one clear line on stderr: no crash, no hang.
@Suite struct BadInputTests {
    /// Asserts the run failed cleanly: status 1, exactly one stderr line, mentioning `fragment`.
    func expectCleanFailure(_ r: CLI.Result, mentions fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 1, "status \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.errorLines.count == 1, "stderr should be one line: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.lowercased().contains(fragment.lowercased()), "stderr lacks '\(fragment)': \(r.stderr)", sourceLocation: sourceLocation)
    }

    let mlp = CLI.path("Graphs/models/mlp/model.onnx")

    @Test func truncatedModelAtManyPoints() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: mlp))
        let dir = try CLI.temporaryDirectory()
        for fraction in [0.0, 0.01, 0.1, 0.37, 0.5, 0.9, 0.999] {
            let cut = Int(Double(bytes.count) * fraction)
            let file = dir.appendingPathComponent("cut\(cut).onnx")
            try bytes.prefix(cut).write(to: file)
            let r = try CLI.run(["inspect", file.path])
            #expect(r.status == 1, "cut at \(cut) of \(bytes.count): status \(r.status) \(r.stderr)")
            #expect(r.errorLines.count == 1, "cut at \(cut): \(r.stderr)")
        }
    }

    @Test func randomBytes() throws {
        let dir = try CLI.temporaryDirectory()
        var rng = SplitMix64(seed: 42)
        for i in 0..<5 {
            let data = Data((0..<(64 << i)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            let file = dir.appendingPathComponent("random\(i).onnx")
            try data.write(to: file)
            let r = try CLI.run(["run", file.path, "--output-dir", dir.path])
            expectCleanFailure(r, mentions: file.lastPathComponent)
        }
    }

    @Test func nodeCycle() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("cycle.onnxtxt")
        try """
        <ir_version: 8, opset_import: ["" : 17]>
        cyclic (float[2] x) => (float[2] y) {
            a = Add (x, c)
            b = Relu (a)
            c = Neg (b)
            y = Identity (c)
        }
        """.write(to: file, atomically: true, encoding: .utf8)
        expectCleanFailure(try CLI.run(["inspect", file.path]), mentions: "cycle")
    }

    @Test func absurdShapeIsRefusedAtRunTime() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("huge.onnxtxt")
        try """
        <ir_version: 8, opset_import: ["" : 17]>
        huge (float[1] x) => (float[1000000,1000000] y) <int64[2] s = {1000000, 1000000}> {
            z = ConstantOfShape (s)
            y = Add (z, x)
        }
        """.write(to: file, atomically: true, encoding: .utf8)
        let input = dir.appendingPathComponent("x.npy")
        try writeNPY(floats: [1], shape: [1], to: input)
        expectCleanFailure(try CLI.run(["run", file.path, "--input", "x=\(input.path)", "--output-dir", dir.path]),
                           mentions: "limit")
    }

    @Test func wrongInputDtypeAndShape() throws {
        let dir = try CLI.temporaryDirectory()
        let wrongShape = dir.appendingPathComponent("x.npy")
        try writeNPY(floats: [Float](repeating: 1, count: 12), shape: [4, 3], to: wrongShape)
        var r = try CLI.run(["run", mlp, "--input", "x=\(wrongShape.path)", "--output-dir", dir.path])
        expectCleanFailure(r, mentions: "input \"x\"")
        let wrongType = dir.appendingPathComponent("xi.npy")
        try writeNPY(int64s: [Int64](repeating: 1, count: 4 * 64), shape: [4, 64], to: wrongType)
        r = try CLI.run(["run", mlp, "--input", "x=\(wrongType.path)", "--output-dir", dir.path])
        expectCleanFailure(r, mentions: "int64")
    }

    @Test func missingInputListsEveryExpectedInput() throws {
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(["run", mlp, "--output-dir", dir.path])
        expectCleanFailure(r, mentions: "missing input")
        #expect(r.stderr.contains("x: float[N,64]"), "\(r.stderr)")
    }

    @Test func missingFileAndDirectory() throws {
        expectCleanFailure(try CLI.run(["inspect", "/nonexistent/model.onnx"]), mentions: "no such file")
        expectCleanFailure(try CLI.run(["inspect", CLI.path("Graphs")]), mentions: "directory")
    }

    @Test func corruptNPYInput() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("bad.npy")
        try Data("\u{93}NUMPY garbage".utf8).write(to: file)
        expectCleanFailure(try CLI.run(["run", mlp, "--input", "x=\(file.path)", "--output-dir", dir.path]), mentions: "bad.npy")
    }

    @Test func usageErrorsExitTwo() throws {
        let r = try CLI.run(["run"])
        #expect(r.status == 2, "\(r.stderr)")
        let r2 = try CLI.run(["frobnicate"])
        #expect(r2.status == 2, "\(r2.stderr)")
    }
}


func writeNPY(floats: [Float], shape: [Int], to url: URL) throws {
    try writeNPY(descr: "<f4", payload: floats.withUnsafeBytes { Data($0) }, shape: shape, to: url)
}

func writeNPY(int64s: [Int64], shape: [Int], to url: URL) throws {
    try writeNPY(descr: "<i8", payload: int64s.withUnsafeBytes { Data($0) }, shape: shape, to: url)
}

/// A minimal .npy writer independent of the engine's, so the tests do not check the code with itself.
func writeNPY(descr: String, payload: Data, shape: [Int], to url: URL) throws {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(\(shape.map(String.init).joined(separator: ", ")))"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 16 != 0 { header += " " }
    header += "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
    data.append(Data(header.utf8))
    data.append(payload)
    try data.write(to: url)
}
