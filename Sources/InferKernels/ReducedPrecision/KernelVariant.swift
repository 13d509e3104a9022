import Foundation

/// The variants of one reduced-precision kernel (BF16Kernel, Int8Kernel), declared best last:
/// which this machine runs, and the one chosen once per process, at most the variant an
/// environment variable names so a benchmark can time the lower ones.
package protocol KernelVariant: RawRepresentable<String>, CaseIterable, Comparable, Sendable where AllCases == [Self] {
    /// Whether this CPU (and OS) runs the variant.
    var isAvailable: Bool { get }
    /// The variant's name in reports.
    var name: String { get }
    /// The variable that caps the choice, e.g. `SWIFTC_INFER_INT8`.
    static var environmentVariable: String { get }
}

extension KernelVariant {
    package static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// Every variant this machine runs, lowest first: what the kernel tests run.
    package static var available: [Self] { allCases.filter(\.isAvailable) }

    /// The cap the environment variable names, or the raw value when it names none.
    package static func environmentCap() -> (cap: Self?, unknown: String?) {
        guard let raw = ProcessInfo.processInfo.environment[environmentVariable], !raw.isEmpty else { return (nil, nil) }
        let cap = Self(rawValue: raw.lowercased())
        return (cap, cap == nil ? raw : nil)
    }

    /// The best available variant, at most `cap`.
    package static func choose(cap: Self?) -> Self { available.last { cap == nil || $0 <= cap! } ?? allCases[0] }

    /// What the environment did to the choice, for reports: a cap that lowered it, a value ignored.
    package static func environmentNotes(chosen: Self, _ environment: (cap: Self?, unknown: String?)) -> [String] {
        var notes: [String] = []
        if let cap = environment.cap, chosen < (available.last ?? allCases[0]) { notes.append("\(environmentVariable)=\(cap.rawValue)") }
        if let unknown = environment.unknown {
            notes.append("\(environmentVariable)=\"\(unknown)\" ignored: not \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return notes
    }
}
