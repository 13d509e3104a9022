import Foundation

/// The SIMD features of this CPU that decide which OpenBLAS kernels it can run.
/// Read from /proc/cpuinfo (Linux); empty elsewhere, which means "don't second-guess OpenBLAS".
package struct CPUFeatures: Sendable {
    package let flags: Set<String>

    package static let current: CPUFeatures = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return CPUFeatures(flags: []) }
        return CPUFeatures(flags: Set(line[line.index(after: colon)...].split(separator: " ").map(String.init)))
    }()

    package var hasAVX512: Bool { ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) }
    package var hasAVX2FMA: Bool { flags.contains("avx2") && flags.contains("fma") }
}
