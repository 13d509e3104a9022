import Foundation

extension CLI {
    /// Runs the binary like `run(_:timeout:)` and also reports its peak resident set.
    ///
    /// The child must not be spawned from the test process itself: posix_spawn shares the
    /// parent's memory until exec (CLONE_VM), and Linux carries that high-water mark (the whole
    /// test process, over 1 GiB under ASan) into the child's `ru_maxrss`. A small Python parent
    /// spawns it instead, so the baseline is Python's own ~10 MiB, and reports
    /// `RUSAGE_CHILDREN`'s peak for its only child on the last stdout line.
    static func runMeasuringPeakRSS(_ arguments: [String], timeout: TimeInterval = 120) throws -> (result: Result, peakBytes: Int) {
        let script = """
            import resource, subprocess, sys
            try:
                p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=\(Int(timeout)))
                sys.stderr.buffer.write(p.stderr)
                code = p.returncode
            except subprocess.TimeoutExpired:
                sys.stderr.write("TIMEOUT after \(Int(timeout)) s\\n")
                code = -1
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
            sys.exit(code if code >= 0 else 128 - code)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, binary.path] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        let stdout = String(decoding: outData, as: UTF8.self)
        let peak = stdout.split(separator: "\n").last.flatMap { Int($0) } ?? Int.max
        let status = process.terminationStatus > 128 ? -(process.terminationStatus - 128) : process.terminationStatus
        return (Result(status: status, stdout: "", stderr: String(decoding: errData, as: UTF8.self)), peak)
    }
}
