import ArgumentParser
import Foundation
import InferIR
import InferRuntime

struct BLASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blas",
        abstract: "Show the OpenBLAS core and threads in use and measure sgemm GFLOP/s.",
        discussion: """
        The CLI re-executes itself with OPENBLAS_CORETYPE set when OpenBLAS picked kernels weaker
        than the CPU supports; a value you set yourself is respected. Compare with
        `OPENBLAS_CORETYPE=Prescott swiftc-infer blas` to see what the fix is worth.

        Example:
          swiftc-infer blas --size 1024,1024,1024 --threads 2
        """
    )

    @Option(name: .long, help: ArgumentHelp("GEMM shape M,N,K (repeatable).", valueName: "M,N,K"))
    var size: [String] = ["1024,1024,1024", "128,768,256", "64,3136,576"]

    @Option(name: .long, help: "Timed calls per shape (median reported).")
    var iterations: Int = 10

    @Option(name: .long, help: "BLAS threads (default: OpenBLAS' own default).")
    var threads: Int?

    func run() throws {
        BLASRuntime.ensureConfigured(threads: threads)
        print("OpenBLAS core: \(BLASRuntime.coreName) (\(BLASRuntime.coreSource)); recommended for this CPU: \(BLASRuntime.recommendedCore ?? "OpenBLAS default")")
        print("threads: \(BLASRuntime.threadCount)")
        for text in size {
            let parts = text.split(separator: ",").compactMap { Int($0) }
            guard parts.count == 3, parts.allSatisfy({ $0 > 0 && $0 <= 16384 }) else {
                throw ValidationError("--size \(text): expected M,N,K with each in 1...16384")
            }
            let r = GEMMProbe.measure(m: parts[0], n: parts[1], k: parts[2], iterations: iterations)
            print(String(format: "sgemm M=%d N=%d K=%d: %.1f GFLOP/s (median %.3f ms)", r.m, r.n, r.k, r.gflops, r.medianSeconds * 1e3))
        }
    }
}
