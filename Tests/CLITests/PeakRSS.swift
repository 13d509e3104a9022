import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension CLI {
    /// Runs the binary like `run(_:timeout:)` and also reports the child's own peak resident set
    /// (`wait4`'s rusage, so other processes the tests start at the same time do not count).
    static func runMeasuringPeakRSS(_ arguments: [String], timeout: TimeInterval = 120) throws -> (result: Result, peakBytes: Int) {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("stdout").path, errPath = dir.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([binary.path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        var usage = rusage()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                timedOut = true
                _ = wait4(pid, &status, 0, &usage)
                break
            }
            usleep(10_000)
        }
        let stderr = timedOut ? "TIMEOUT after \(timeout) s" : ((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand (the C macros are not imported).
        let signal = status & 0x7f
        let code: Int32 = timedOut ? -1 : signal == 0 ? (status >> 8) & 0xff : -signal
        return (Result(status: code, stdout: stdout, stderr: stderr), Int(usage.ru_maxrss) * 1024)
    }
}
