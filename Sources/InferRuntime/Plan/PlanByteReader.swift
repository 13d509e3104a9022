import InferIR

/// Bounds-checked little-endian reads over untrusted bytes: every read past the end throws
/// `.invalidPlan` naming what was being read, so no input can make the loader crash.
struct PlanByteReader {
    let bytes: UnsafeRawBufferPointer
    let what: String
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer, what: String) {
        self.bytes = bytes
        self.what = what
    }

    var remaining: Int { bytes.count - position }

    private mutating func need(_ n: Int) throws {
        guard n >= 0, n <= remaining else {
            throw InferError(.invalidPlan, "malformed plan: \(what) ends early (needs \(n) bytes at offset \(position), has \(remaining))")
        }
    }

    mutating func u32() throws -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    mutating func u64() throws -> UInt64 {
        try need(8)
        defer { position += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }

    /// A UInt64 that must fit in Int (offsets and sizes).
    mutating func size(_ field: String) throws -> Int {
        let v = try u64()
        guard v <= UInt64(Int.max >> 1) else { throw InferError(.invalidPlan, "malformed plan: \(what): \(field) \(v) is out of range") }
        return Int(v)
    }

    mutating func string(maxBytes: Int = 1 << 20) throws -> String {
        let n = Int(try u32())
        guard n <= maxBytes else { throw InferError(.invalidPlan, "malformed plan: \(what): a string of \(n) bytes is too long") }
        try need(n)
        defer { position += n }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
        guard let s = String(validating: slice, as: UTF8.self) else {
            throw InferError(.invalidPlan, "malformed plan: \(what): a string is not valid UTF-8")
        }
        return s
    }
}
