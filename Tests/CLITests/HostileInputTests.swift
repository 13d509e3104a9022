import Foundation
import InferIR
import InferRuntime
import Testing

/// The hostile-inputs suite: every model in Graphs/hostile/ (written by Tools/make_hostile.py)
/// through `inspect` and through `run` at -O0, -O1 and -O2, each under a timeout. A case expects
/// exit status 1 and exactly the one stderr line in its expected.txt (`ok`: exit status 0 and,
/// where the case has outputs/, exactly those outputs).
@Suite struct HostileInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let directory: URL
        let model: URL
        /// `--input NAME=FILE` for each file in inputs/.
        let inputArguments: [String]
        let expectedInspect: String
        let expectedRun: String
        let extraArguments: [String]

        var testDescription: String { name }

        /// The line as the binary prints it: `$DIR` is the case folder.
        func line(_ expected: String) -> String {
            expected.replacingOccurrences(of: "$DIR", with: directory.path)
        }
    }

    static let root = URL(fileURLWithPath: CLI.path("Graphs/hostile"))

    static let cases: [Case] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().compactMap { name in
            let directory = root.appendingPathComponent(name)
            guard let expected = try? String(contentsOf: directory.appendingPathComponent("expected.txt"), encoding: .utf8),
                  let modelName = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?
                      .first(where: { $0.hasPrefix("model.") }) else { return nil }
            var fields: [String: String] = [:]
            for line in expected.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == " " })
            }
            let inputs = directory.appendingPathComponent("inputs")
            let inputFiles = ((try? FileManager.default.contentsOfDirectory(atPath: inputs.path)) ?? []).sorted()
            return Case(name: name, directory: directory, model: directory.appendingPathComponent(modelName),
                        inputArguments: inputFiles.flatMap { file in
                            ["--input", "\((file as NSString).deletingPathExtension)=\(inputs.appendingPathComponent(file).path)"]
                        },
                        expectedInspect: fields["inspect"] ?? "(missing)", expectedRun: fields["run"] ?? "(missing)",
                        extraArguments: fields["args"].map { $0.split(separator: " ").map(String.init) } ?? [])
        }
    }()

    /// Guards the parameterized test below, which would pass vacuously over an empty folder.
    @Test func suiteIsPresentAndLarge() {
        #expect(Self.cases.count >= 40, "found \(Self.cases.count) cases in \(Self.root.path): run Tools/make_hostile.py")
        let errors = Self.cases.filter { $0.expectedRun != "ok" }
        #expect(errors.count >= 40, "only \(errors.count) cases expect an error")
    }

    @Test(arguments: cases) func hostileModel(_ c: Case) throws {
        let inspect = try CLI.run(["inspect", c.model.path] + c.extraArguments, timeout: 30)
        expect(inspect, c.line(c.expectedInspect), "inspect")
        let out = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        for level in ["-O0", "-O1", "-O2"] {
            let run = try CLI.run(["run", c.model.path, level, "--output-dir", out.path] + c.inputArguments + c.extraArguments,
                                  timeout: 30)
            expect(run, c.line(c.expectedRun), "run \(level)")
            // A case that must run may say what it must compute (outputs/NAME.npy, compared bit for bit).
            let expectedOutputs = c.directory.appendingPathComponent("outputs")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: expectedOutputs.path)) ?? [] {
                let got = try? NPYFormat.read(out.appendingPathComponent(name))
                let want = try NPYFormat.read(expectedOutputs.appendingPathComponent(name))
                #expect(got == want, "run \(level): \(name) is \(got.map(String.init(describing:)) ?? "missing"), expected \(want)")
            }
        }
    }

    private func expect(_ r: CLI.Result, _ expected: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        if expected == "ok" {
            #expect(r.status == 0, "\(what): status \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
            return
        }
        #expect(r.status == 1, "\(what): status \(r.status), stderr: \(r.stderr.prefix(2000))", sourceLocation: sourceLocation)
        #expect(r.errorLines.count == 1, "\(what): stderr should be one line: \(r.stderr.prefix(2000))", sourceLocation: sourceLocation)
        #expect(r.errorLines.first.map(String.init) == expected, "\(what): got\n\(r.stderr)\nexpected\n\(expected)",
                sourceLocation: sourceLocation)
    }
}
