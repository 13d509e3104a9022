import Foundation

/// Which model file a plan was compiled from and at what precision, stored in the plan's
/// optional `provenance` section, so a reduced-precision plan can be checked against its fp32
/// source (`bench` and `check` compare with the recorded file when it is still there and
/// unchanged, and say so when a `--reference` is not that file).
package struct PlanProvenance: Sendable, Equatable {
    /// The source file's path as given to `compile` (informational: it may have moved).
    package let sourcePath: String
    package let sourceBytes: Int
    /// `PlanChecksum` of the source file's bytes.
    package let sourceChecksum: UInt64
    /// `Precision.rawValue` the plan was compiled for.
    package let precision: String

    /// A file's size and checksum (mapped, so a large model is not copied).
    package static func fingerprint(of file: URL) throws -> (bytes: Int, checksum: UInt64) {
        let data: Data
        do { data = try Data(contentsOf: file, options: .alwaysMapped) } catch {
            throw InferError(.io, "\(file.path): cannot read: \(error.localizedDescription)")
        }
        return (data.count, data.withUnsafeBytes { PlanChecksum.checksum($0) })
    }

    /// Whether `file` is, byte for byte as far as the checksum tells, the model this plan came from.
    package func matches(_ file: URL) -> Bool {
        guard let (bytes, checksum) = try? Self.fingerprint(of: file) else { return false }
        return bytes == sourceBytes && checksum == sourceChecksum
    }

    /// One line for `inspect` and reports.
    package var description: String {
        "compiled from \(sourcePath) (\(sourceBytes) bytes, checksum 0x\(String(sourceChecksum, radix: 16))) at \(precision)"
    }

    func encoded() -> [UInt8] {
        var w = PlanByteWriter()
        w.u64(sourceChecksum)
        w.u64(UInt64(sourceBytes))
        w.string(precision)
        w.string(sourcePath)
        return w.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> PlanProvenance {
        var r = PlanByteReader(bytes, what: "provenance section")
        let checksum = try r.u64()
        let size = try r.size("source size")
        let precision = try r.string(maxBytes: 64)
        let path = try r.string(maxBytes: 1 << 16)
        return PlanProvenance(sourcePath: path, sourceBytes: size, sourceChecksum: checksum, precision: precision)
    }
}

extension PlanProvenance {
    /// The provenance of a plan compiled from `file` for `precision` (in an extension, so the
    /// struct keeps its memberwise initializer for `decode`).
    package init(file: URL, precision: String) throws {
        let (bytes, checksum) = try Self.fingerprint(of: file)
        self.init(sourcePath: file.path, sourceBytes: bytes, sourceChecksum: checksum, precision: precision)
    }
}
