/// SplitMix64: a small seeded generator, identical on every platform and every run. The one
/// source of deterministic randomness in the package: benchmark inputs, the fuzz mutator, and
/// the tests' data.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (0 when n <= 1).
    package mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    /// Uniform in [0, 1), 53 bits.
    package mutating func unitInterval() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in [-1, 1), 24 bits.
    package mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
}
