import Foundation
import Testing

/// The committed fuzz corpora (Tests/Fuzz/corpus, minimized seeds from Graphs/ and the
/// conformance cases) and every crash reproducer the fuzzers found (Tests/Fuzz/crashes) go
/// through the plain build of the fuzz targets (`swiftc-infer-fuzz TARGET PATH...`, beside the
/// CLI), which must handle each one with a clean error or a clean run.
@Suite struct FuzzCorpusTests {
    static let targets = ["onnx", "text", "plan", "tensor", "request"]

    static var replay: URL { CLI.binary.deletingLastPathComponent().appendingPathComponent("swiftc-infer-fuzz") }

    static func files(_ folder: String, _ target: String) -> [String] {
        let dir = CLI.path("Tests/Fuzz/\(folder)/\(target)")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0 != ".gitkeep" }
    }

    @Test(arguments: targets) func corpusAndCrashReproducersReplayCleanly(target: String) throws {
        let corpus = Self.files("corpus", target), crashes = Self.files("crashes", target)
        #expect(corpus.count >= 20, "Tests/Fuzz/corpus/\(target) holds \(corpus.count) files: run Tools/fuzz.sh seed")
        let process = Process()
        process.executableURL = Self.replay
        process.arguments = [target, CLI.path("Tests/Fuzz/corpus/\(target)"), CLI.path("Tests/Fuzz/crashes/\(target)")]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(target): \(stderr.suffix(3000))")
        // The replay tool counts what it ran: every file, none skipped.
        #expect(stderr.contains("fuzz stats (\(target)): \(corpus.count + crashes.count) executions"), "\(stderr.suffix(500))")
    }
}
