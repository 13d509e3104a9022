import ArgumentParser
import Foundation
import InferIR
import InferRuntime

struct BLASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blas",
        abstract: "Show the OpenBLAS core in use and measure sgemm GFLOP/s as the engine runs it.",
        discussion: """
        The CLI re-executes itself with OPENBLAS_CORETYPE set when OpenBLAS picked kernels weaker
        than the CPU supports; a value you set yourself is respected. Compare with
        `OPENBLAS_CORETYPE=Prescott swiftc-infer blas` to see what the fix is worth.

        OpenBLAS runs single-threaded inside the engine: a GEMM on --threads N is split into N
        parts along C's longer side, run on the engine's worker threads. --compare-openblas-threads
        also times each shape on OpenBLAS' own N threads.

        The bf16 GEMM (what `--precision bf16` plans run) is timed on the same shapes, on every
        variant this CPU runs: AMX-BF16 tiles, AVX512-BF16 (vdpbf16ps), portable C. The first is
        chosen; SWIFTC_INFER_BF16=avx512-bf16 or =portable caps it for a process. So is the int8
        GEMM (what `--quantize int8` plans run), per-row quantization of A included: AVX512-VNNI
        (vpdpbusd) or portable C; SWIFTC_INFER_INT8=portable caps it.

        Example:
          swiftc-infer blas --size 1024,1024,1024 --size 512,49,4608 --threads 2 --compare-openblas-threads
        """
    )

    @Option(name: .long, help: ArgumentHelp("GEMM shape M,N,K (repeatable).", valueName: "M,N,K"))
    var size: [String] = ["1024,1024,1024", "128,768,256", "64,3136,576"]

    @Option(name: .long, help: "Timed calls per shape (median reported).")
    var iterations: Int = 10

    @Option(name: .long, help: "Engine threads (default: OPENBLAS_NUM_THREADS, else all cores).")
    var threads: Int?

    @Flag(name: .long, help: "Also time each shape on OpenBLAS' own threads.")
    var compareOpenblasThreads = false

    func run() throws {
        BLASRuntime.ensureConfigured()
        let threads = threads ?? BLASRuntime.threadCount
        guard (1...1024).contains(threads) else { throw ValidationError("--threads \(threads): expected 1...1024") }
        print("OpenBLAS core: \(BLASRuntime.coreName) (\(BLASRuntime.coreSource)); recommended for this CPU: \(BLASRuntime.recommendedCore ?? "OpenBLAS default")")
        print("CPU: \(BLASRuntime.cpuModel)")
        print("threads: \(threads)")
        print("bf16 GEMM kernel: \(GEMMProbe.bf16Report); variants this CPU runs: \(GEMMProbe.bf16Variants.map(\.name).joined(separator: ", "))")
        print("int8 GEMM kernel: \(GEMMProbe.int8Report); variants this CPU runs: \(GEMMProbe.int8Variants.map(\.name).joined(separator: ", "))")
        for text in size {
            let parts = text.split(separator: ",").compactMap { Int($0) }
            guard parts.count == 3, parts.allSatisfy({ $0 > 0 && $0 <= 16384 }) else {
                throw ValidationError("--size \(text): expected M,N,K with each in 1...16384")
            }
            let r = GEMMProbe.measure(m: parts[0], n: parts[1], k: parts[2], iterations: iterations, threads: threads)
            var line = String(format: "sgemm M=%d N=%d K=%d: %.1f GFLOP/s (median %.3f ms)", r.m, r.n, r.k, r.gflops, r.medianSeconds * 1e3)
            if compareOpenblasThreads {
                let o = GEMMProbe.measure(m: parts[0], n: parts[1], k: parts[2], iterations: iterations, threads: threads,
                                          openBLASThreads: true)
                line += String(format: "; OpenBLAS' own threads %.1f GFLOP/s", o.gflops)
            }
            print(line)
            for (kernel, name) in GEMMProbe.bf16Variants {
                let r = GEMMProbe.measureBF16(m: parts[0], n: parts[1], k: parts[2], iterations: iterations, threads: threads, kernel: kernel)
                print("  bf16 on \(name): " + String(format: "%.1f GFLOP/s (median %.3f ms)", r.gflops, r.medianSeconds * 1e3))
            }
            for (kernel, name) in GEMMProbe.int8Variants {
                let r = GEMMProbe.measureInt8(m: parts[0], n: parts[1], k: parts[2], iterations: iterations, threads: threads, kernel: kernel)
                print("  int8 on \(name): " + String(format: "%.1f GOP/s (median %.3f ms)", r.gflops, r.medianSeconds * 1e3))
            }
        }
    }
}
