import Foundation

/// How deep the inputs get: executions, how many reach the run step (a model that imported,
/// validated, optimized and got its inputs), and how many run without error. Printed to stderr
/// every 2^16 executions and at exit, as `fuzz stats: ...` lines Tools/fuzz.sh collects.
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
}
