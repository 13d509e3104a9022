import Foundation

/// The roofs a profile is read against: sgemm rate (compute) and copy bandwidth (memory),
/// measured once on this machine with the current BLAS core on the engine's `threads`.
package struct MachinePeak: Sendable {
    package let gemmGFLOPs: Double
    package let gemmSize: Int
    /// Bytes read + written per second by a large `memcpy`.
    package let bandwidthGBs: Double

    /// FLOPs per byte above which an op can be compute-bound on this machine.
    package var ridgeIntensity: Double { gemmGFLOPs / bandwidthGBs }

    package static func measure(threads: Int, gemmSize: Int = 1024, copyBytes: Int = 64 << 20) -> MachinePeak {
        let gemm = GEMMProbe.measure(m: gemmSize, n: gemmSize, k: gemmSize, iterations: 5, threads: threads)
        let src = UnsafeMutableRawPointer.allocate(byteCount: copyBytes, alignment: 64)
        let dst = UnsafeMutableRawPointer.allocate(byteCount: copyBytes, alignment: 64)
        defer { src.deallocate(); dst.deallocate() }
        src.initializeMemory(as: UInt8.self, repeating: 1, count: copyBytes)
        dst.initializeMemory(as: UInt8.self, repeating: 0, count: copyBytes)
        var times: [Double] = []
        for _ in 0..<5 {
            times.append(MonotonicClock.time { dst.copyMemory(from: src, byteCount: copyBytes) }.1)
        }
        let median = times.sorted()[times.count / 2]
        return MachinePeak(gemmGFLOPs: gemm.gflops, gemmSize: gemmSize, bandwidthGBs: 2 * Double(copyBytes) / median / 1e9)
    }

    package var summary: String {
        String(format: "machine peak: sgemm %d^3 %.1f GFLOP/s, memcpy %.1f GB/s (read+write); ridge %.1f FLOP/byte",
               gemmSize, gemmGFLOPs, bandwidthGBs, ridgeIntensity)
    }
}
