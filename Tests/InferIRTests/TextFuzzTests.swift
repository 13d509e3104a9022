import Testing
@testable import InferIR

/// Mutated and truncated texts must only ever parse or throw `InferError` (a trap would kill the run).
@Suite struct TextFuzzTests {
    static let seeds: [String] = [
        ONNXTextPrinter.print(TextTestModels.kitchenSink),
        ONNXPrinterSamples.gemmClipReshape,
        ONNXPrinterSamples.ifWithSubgraphs,
        ONNXPrinterSamples.customDomainAndDTypes,
    ]

    /// Characters that matter to the grammar, plus a few that never do.
    static let alphabet: [UInt8] = Array("<>()[]{},:=.@?\"\\#-+0123456789eE.xfn \n\t$é".utf8)

    private func parseMustNotTrap(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            _ = try ONNXTextParser.parseModel(text)
        } catch let error as InferError {
            #expect(!error.message.isEmpty && !error.message.contains("\n"), "multi-line message: \(error.message)")
        } catch {
            Issue.record("non-InferError \(error) for text \(text.prefix(200))")
        }
    }

    @Test(arguments: 0..<seeds.count)
    func everyTruncationThrowsCleanly(seed: Int) {
        let bytes = Array(Self.seeds[seed].utf8)
        let step = max(1, bytes.count / 400)
        for end in stride(from: 0, to: bytes.count, by: step) {
            parseMustNotTrap(Array(bytes[..<end]))
        }
    }

    @Test(arguments: 0..<seeds.count)
    func randomMutationsThrowCleanly(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) + 1)
        let original = Array(Self.seeds[seed].utf8)
        for _ in 0..<400 {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                guard !bytes.isEmpty else { break }
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 5 {
                case 0: bytes[at] = Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))], at: at)
                case 3:  // duplicate a span (nests or repeats structure)
                    let end = min(bytes.count, at + Int(rng.next() % 64))
                    bytes.insert(contentsOf: bytes[at..<end], at: at)
                default: bytes[at] = UInt8(truncatingIfNeeded: rng.next())  // arbitrary byte
                }
            }
            parseMustNotTrap(bytes)
        }
    }

    @Test func randomBytesThrowCleanly() {
        var rng = SplitMix64(seed: 99)
        for length in [1, 2, 7, 64, 1000] {
            for _ in 0..<50 {
                parseMustNotTrap((0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
                parseMustNotTrap((0..<length).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] })
            }
        }
    }

    @Test func pathologicalInputsThrowCleanly() {
        let cases = [
            String(repeating: "<", count: 100_000),
            String(repeating: "[", count: 100_000),
            "g () => () { y = F <a = " + String(repeating: "[", count: 50_000) + "> () }",
            "g (" + String(repeating: "float[", count: 10_000) + ") => () {}",
            "g () => () <float[9223372036854775807,9223372036854775807] w = {}> {}",
            "g () => () <float[-1] w = {}> {}",
            "g () => () <float[4611686018427387904] w = {}> {}",
            "g () => () <int8[0] w = {}> {}",
            "\"" + String(repeating: "\\", count: 1001),
            String(repeating: "-", count: 1000),
            "g () => () { y = F <a = -nanx> () }",
            String(repeating: "#", count: 1000),
        ]
        for text in cases { parseMustNotTrap(Array(text.utf8)) }
    }
}
