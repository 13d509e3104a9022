import Foundation

/// How deep the inputs get: executions, how many reach the run step (a model that imported,
/// validated, optimized and got its inputs), and how many run without error. Printed to stderr
/// every 2^16 executions and at exit, as `fuzz stats: ...` lines; at exit also appended to the
/// file SWIFTC_INFER_FUZZ_STATS names, so Tools/fuzz.sh can add up libFuzzer's fork-mode jobs.
final class FuzzStats: @unchecked Sendable {
    static let shared = FuzzStats()

    var target = "?"
    var executions = 0 { didSet { if executions & 0xFFFF == 0 { report() } } }
    var reachedRun = 0
    var ranClean = 0

    func report() {
        let share = executions == 0 ? 0 : 100 * Double(reachedRun) / Double(executions)
        let clean = executions == 0 ? 0 : 100 * Double(ranClean) / Double(executions)
        FileHandle.standardError.write(Data(String(format: "fuzz stats (%@): %d executions, %d reached the run step (%.1f%%), %d ran clean (%.1f%%)\n",
                                                   target, executions, reachedRun, share, ranClean, clean).utf8))
    }

    /// Appends `target executions reached clean` to the SWIFTC_INFER_FUZZ_STATS file, if set.
    func appendTotals() {
        guard let path = ProcessInfo.processInfo.environment["SWIFTC_INFER_FUZZ_STATS"],
              let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil)
        else { return }
        handle.seekToEndOfFile()
        handle.write(Data("\(target) \(executions) \(reachedRun) \(ranClean)\n".utf8))
        try? handle.close()
    }
}
