import Foundation
import InferIR

/// Reads tensor bytes stored outside the model (`data_location == EXTERNAL`). Locations resolve
/// inside the model's folder only: absolute paths, `..` components and symlinks leading out of
/// the folder are refused, and offset/length are checked against the file before reading.
struct ONNXExternalData {
    let baseDirectory: URL

    func read(_ proto: Onnx_TensorProto, byteCount: Int, label: String) throws -> Data {
        var entries: [String: String] = [:]
        for entry in proto.externalData { entries[entry.key] = entry.value }
        guard let location = entries["location"], !location.isEmpty else {
            throw InferError(.io, "\(label) has external data without a location")
        }
        func fail(_ why: String) -> InferError { InferError(.io, "\(label): external data \"\(location)\" \(why)") }

        guard !location.hasPrefix("/"), !location.hasPrefix("\\"), !location.contains("\0") else {
            throw fail("is an absolute path; it must be relative to the model's folder")
        }
        let components = location.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        guard !components.contains("..") else { throw fail("leaves the model's folder (\"..\")") }

        let offset = try integer(entries["offset"], default: 0, key: "offset", fail: fail)
        let length = try integer(entries["length"], default: byteCount, key: "length", fail: fail)
        guard length == byteCount else {
            throw fail("has length \(length), but the tensor needs \(byteCount) bytes")
        }

        guard let folder = realPath(baseDirectory.path) else {
            throw InferError(.io, "\(label): the model's folder \(baseDirectory.path) does not exist")
        }
        guard let file = realPath(folder + "/" + components.joined(separator: "/")) else { throw fail("does not exist") }
        guard file.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else {
            throw fail("resolves to \(file), outside the model's folder")
        }

        let attributes = try? FileManager.default.attributesOfItem(atPath: file)
        guard attributes?[.type] as? FileAttributeType == .typeRegular,
              let fileSize = (attributes?[.size] as? NSNumber)?.intValue else {
            throw fail("is not a regular file")
        }
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, end <= fileSize else {
            throw fail("range \(offset)..<\(offset &+ length) is beyond the end of the file (\(fileSize) bytes)")
        }
        guard let handle = FileHandle(forReadingAtPath: file) else { throw fail("cannot be opened") }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: length) ?? Data()
            guard data.count == length else { throw fail("was cut short while reading") }
            return data
        } catch let error as InferError {
            throw error
        } catch {
            throw fail("cannot be read: \(error.localizedDescription)")
        }
    }

    private func integer(_ text: String?, default value: Int, key: String,
                         fail: (String) -> InferError) throws -> Int {
        guard let text else { return value }
        guard let v = Int(text), v >= 0 else { throw fail("has an invalid \(key) \"\(text)\"") }
        return v
    }

    /// The canonical path with every symlink resolved; nil when it does not exist.
    private func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
