import Foundation

/// The SIMD features of this CPU that decide which OpenBLAS kernels it can run, and its model
/// name (printed next to every benchmark figure). Read from /proc/cpuinfo (Linux); empty
/// elsewhere, which means "don't second-guess OpenBLAS".
package struct CPUFeatures: Sendable {
    package let flags: Set<String>
    package let modelName: String

    package static let current: CPUFeatures = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUFeatures(flags: [], modelName: "unknown CPU")
        }
        let lines = text.split(separator: "\n")
        func value(_ key: String) -> Substring? {
            guard let line = lines.first(where: { $0.hasPrefix(key) }), let colon = line.firstIndex(of: ":") else { return nil }
            return line[line.index(after: colon)...]
        }
        return CPUFeatures(flags: Set((value("flags") ?? "").split(separator: " ").map(String.init)),
                           modelName: value("model name").map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU")
    }()

    package var hasAVX512: Bool { ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) }
    package var hasAVX2FMA: Bool { flags.contains("avx2") && flags.contains("fma") }
}
