import Foundation
import InferRuntime

/// An LRU of inference outputs (`--cache-entries`, off by default), keyed by the model, its
/// version and the request's inputs: names, datatypes, shapes and bytes. The key holds the
/// whole input bytes, not a digest of them, so two different requests can never share an
/// entry. Outputs, not encoded responses, are kept: the requested outputs, their JSON or binary
/// form and the request id are applied per request, as for a run.
final class ResponseCache: @unchecked Sendable {
    struct Key: Hashable {
        let model: String
        let version: String
        let inputs: [UInt8]

        init(model: String, version: String, tensors: [String: Tensor]) {
            self.model = model
            self.version = version
            var bytes: [UInt8] = []
            func append(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) } }
            for name in tensors.keys.sorted() {
                let tensor = tensors[name]!
                append(name.utf8.count)
                bytes.append(contentsOf: name.utf8)
                append(tensor.dtype.rawValue)
                append(tensor.rank)
                for dim in tensor.shape { append(dim) }
                bytes.append(contentsOf: tensor.bytes)
            }
            inputs = bytes
        }
    }

    private final class Entry {
        let key: Key
        let outputs: [String: Tensor]
        var newer: Entry?
        weak var older: Entry?
        init(key: Key, outputs: [String: Tensor]) {
            self.key = key
            self.outputs = outputs
        }
    }

    let capacity: Int
    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    /// Least recently used at `oldest`, most recently used at `newest`.
    private var oldest: Entry?
    private var newest: Entry?

    init(capacity: Int) { self.capacity = capacity }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    func outputs(for key: Key) -> [String: Tensor]? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[key] else { return nil }
        unlink(entry)
        append(entry)
        return entry.outputs
    }

    func store(_ outputs: [String: Tensor], for key: Key) {
        guard capacity > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        if let existing = entries[key] { unlink(existing) }
        let entry = Entry(key: key, outputs: outputs)
        entries[key] = entry
        append(entry)
        while entries.count > capacity, let victim = oldest {
            unlink(victim)
            entries[victim.key] = nil
        }
    }

    private func unlink(_ entry: Entry) {
        if let older = entry.older { older.newer = entry.newer } else { oldest = entry.newer }
        if let newer = entry.newer { newer.older = entry.older } else { newest = entry.older }
        entry.newer = nil
        entry.older = nil
    }

    private func append(_ entry: Entry) {
        entry.older = newest
        newest?.newer = entry
        newest = entry
        if oldest == nil { oldest = entry }
    }
}
