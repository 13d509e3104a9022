// Without libFuzzer (a plain `swift build`), the same targets run as a replay tool:
//
//   swiftc-infer-fuzz TARGET PATH...              each file (or every file in each folder) once
//   swiftc-infer-fuzz TARGET --mutate N PATH...   plus N structure-aware mutants of each (onnx)
//
// so corpora and crash reproducers can be checked by tests and CI with any build.
#if !FUZZING
import Foundation
import InferONNX

@main
enum ReplayMain {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: swiftc-infer-fuzz onnx|text|plan|tensor|request [--mutate N] PATH...\n".utf8))
            exit(2)
        }
        arguments.removeFirst()
        var mutants = 0
        if arguments.first == "--mutate", arguments.count > 1, let n = Int(arguments[1]) {
            mutants = n
            arguments.removeFirst(2)
        }
        FuzzStats.shared.target = name
        // SWIFTC_INFER_FUZZ_VERBOSE=1 names each input before running it (to find the one that crashes).
        let verbose = ProcessInfo.processInfo.environment["SWIFTC_INFER_FUZZ_VERBOSE"] == "1"
        for path in arguments {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                if verbose { FileHandle.standardError.write(Data("\(file)\n".utf8)) }
                target.run(data)
                for k in 0..<mutants {
                    if let mutant = ONNXModelMutator.mutate(data, seed: UInt64(k) &* 0x9E37_79B9 &+ UInt64(data.count)) {
                        if verbose { FileHandle.standardError.write(Data("\(file) mutant \(k)\n".utf8)) }
                        target.run(mutant)
                    }
                }
            }
        }
        FuzzStats.shared.report()
    }

    static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { "\(path)/\($0)" }.filter { !$0.hasSuffix("/.gitkeep") }
    }
}
#endif
