/// The plan file's 64-bit checksum: four independent multiply-xor lanes over 8-byte words
/// (so the CPU overlaps the multiplies; several GB/s in release builds), finalized and combined.
///
/// Each lane step `h = rotl((h ^ w) * P, 31)` is a bijection of `h` for a fixed word, so
/// changing any single word (any flipped byte) always changes the result; it is an integrity
/// check against damage, not a cryptographic signature.
package enum PlanChecksum {
    private static let prime: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let seeds: (UInt64, UInt64, UInt64, UInt64) =
        (0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344, 0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89)

    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return finalize(seeds.0 ^ 0) }
        var (a, b, c, d) = seeds
        let count = bytes.count
        var i = 0
        @inline(__always) func step(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ w) &* prime
            return (x << 31) | (x >> 33)
        }
        while i + 32 <= count {
            a = step(a, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            b = step(b, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
            c = step(c, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
            d = step(d, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
            i += 32
        }
        while i + 8 <= count {
            a = step(a, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < count {
            var tail: UInt64 = 0
            for k in 0..<(count - i) { tail |= UInt64(base.load(fromByteOffset: i + k, as: UInt8.self)) << (8 * UInt64(k)) }
            a = step(a, tail)
        }
        let combined = finalize(a) ^ rotate(finalize(b), 17) ^ rotate(finalize(c), 34) ^ rotate(finalize(d), 51)
        return finalize(combined ^ UInt64(count))
    }

    /// MurmurHash3's 64-bit finalizer (a bijection that spreads every bit).
    private static func finalize(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    private static func rotate(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
}
