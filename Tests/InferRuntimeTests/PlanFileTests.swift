import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// The plan file: written and mapped back it gives the same model and bit-identical outputs,
/// its weights are views over the mapping, and every kind of damage is refused with a
/// one-line `.invalidPlan` error (never a crash).
@Suite struct PlanFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let models = ["mlp", "convnet", "encoder", "decoder"]

    static func temporaryFile(_ name: String) -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plan-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    /// Deterministic inputs for every required input of an engine (symbolic dims bound to 2).
    static func inputs(for engine: Engine) throws -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for info in engine.inputs {
            let dims = (info.type.shape ?? []).map { dim -> Int in if case .value(let v) = dim { return v } else { return 2 } }
            let n = dims.reduce(1, *)
            switch info.type.dtype {
            case .float32:
                let values: [Float] = (0..<n).map { i in Float((i * 7919) % 23) / 11 - 1 }
                feeds[info.name] = try Tensor(shape: dims, scalars: values)
            case .int64:
                let ids: [Int64] = (0..<n).map { i in Int64(i % 2 == 0 ? 1 : i % 50) }
                feeds[info.name] = try Tensor(shape: dims, scalars: ids)
            default: feeds[info.name] = try Tensor.zeros(info.type.dtype, shape: dims)
            }
        }
        return feeds
    }

    static func bytes(_ t: Tensor) -> [UInt8] { Array(UnsafeRawBufferPointer(start: t.rawPointer, count: t.byteCount)) }

    @Test(arguments: models, OptimizationLevel.allCases)
    func roundTripIsBitIdentical(model name: String, level: OptimizationLevel) throws {
        let source = Self.root.appendingPathComponent("Graphs/models/\(name)/model.onnx")
        let fromSource = try Engine(contentsOf: source, threads: 1, optimization: level)
        let file = Self.temporaryFile("\(name).plan")
        _ = try PlanWriter.write(model: fromSource.model, optimization: level, to: file)
        let fromPlan = try Engine(contentsOf: file, threads: 1)
        #expect(fromPlan.optimization == level)
        #expect(fromPlan.planHeader?.formatVersion == Int(PlanFormat.version))
        #expect(fromPlan.model.graph.nodes == fromSource.model.graph.nodes)
        #expect(fromPlan.model.graph.inputs == fromSource.model.graph.inputs)
        #expect(fromPlan.model.graph.outputs == fromSource.model.graph.outputs)
        #expect(Set(fromPlan.model.graph.initializers.keys) == Set(fromSource.model.graph.initializers.keys))
        let feeds = try Self.inputs(for: fromSource)
        let want = try fromSource.run(feeds), got = try fromPlan.run(feeds)
        for (key, tensor) in want {
            let other = try #require(got[key])
            #expect(other.shape == tensor.shape && other.dtype == tensor.dtype)
            #expect(Self.bytes(other) == Self.bytes(tensor), "output \(key) differs at -O\(level.rawValue)")
        }
    }

    @Test func weightsAreViewsOverTheMappingNotCopies() throws {
        let source = Self.root.appendingPathComponent("Graphs/models/mlp/model.onnx")
        let engine = try Engine(contentsOf: source, threads: 1)
        let file = Self.temporaryFile("mlp.plan")
        _ = try PlanWriter.write(model: engine.model, optimization: .full, to: file)
        let plan = try PlanReader.load(file)
        let storages = Set(plan.model.graph.initializers.values.map { ObjectIdentifier($0.storage) })
        #expect(storages.count == 1, "every weight borrows the one mapped weights section")
        for (name, t) in plan.model.graph.initializers {
            #expect(Int(bitPattern: t.rawPointer) % 64 == 0, "\(name) is not 64-byte aligned")
            #expect(Self.bytes(t) == Self.bytes(engine.model.graph.initializers[name]!))
        }
    }

    // MARK: refusals

    func plan() throws -> [UInt8] {
        let engine = try Engine(contentsOf: Self.root.appendingPathComponent("Graphs/models/mlp/model.onnx"), threads: 1)
        return try PlanWriter.encode(model: engine.model, optimization: .full,
                                     program: Data("{}".utf8))
    }

    func load(_ bytes: [UInt8]) throws -> LoadedPlan {
        let file = Self.temporaryFile("p.plan")
        try Data(bytes).write(to: file)
        return try PlanReader.load(file)
    }

    func expectRefused(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try load(bytes)
            Issue.record("accepted a bad plan (expected \(fragment))", sourceLocation: sourceLocation)
        } catch let error as InferError {
            #expect(error.kind == .invalidPlan || error.kind == .io, "\(error.kind): \(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Recomputes the checksum so a crafted change reaches the structural checks.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let sum = b.withUnsafeBytes { PlanChecksum.checksum(UnsafeRawBufferPointer(rebasing: $0[32...])) }
        withUnsafeBytes(of: sum.littleEndian) { for k in 0..<8 { b[24 + k] = $0[k] } }
        return b
    }

    static func putU64(_ v: UInt64, at offset: Int, in b: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { for k in 0..<8 { b[offset + k] = $0[k] } }
    }

    /// Offset of the section table entry `index` (kind, reserved, offset, length).
    static func sectionEntry(_ index: Int, in b: [UInt8]) -> Int {
        let versionLength = Int(b[40]) | Int(b[41]) << 8 | Int(b[42]) << 16 | Int(b[43]) << 24
        return 44 + versionLength + index * 24
    }

    @Test func wrongMagicVersionTruncationAndChecksum() throws {
        let good = try plan()
        _ = try load(good)
        var b = good; b[0] = UInt8(ascii: "X")
        expectRefused(b, "not a swiftc-infer plan")
        b = good; b[8] = UInt8(PlanFormat.version + 1)
        expectRefused(b, "plan format \(PlanFormat.version + 1), this build reads \(PlanFormat.version)")
        expectRefused(Array(good.prefix(20)), "truncated")
        expectRefused(Array(good.prefix(good.count - 1)), "truncated")
        expectRefused(good + [0], "after the declared end")
        b = good; b[good.count / 2] ^= 0x10
        expectRefused(b, "corrupted plan: checksum")
        b = good; b[40] ^= 1
        expectRefused(b, "corrupted plan: checksum")
    }

    @Test func malformedSectionsAreRefusedEvenWithAValidChecksum() throws {
        let good = try plan()
        let graph = Self.sectionEntry(0, in: good), weights = Self.sectionEntry(3, in: good)
        var b = good
        Self.putU64(UInt64(good.count + 64), at: graph + 8, in: &b)
        expectRefused(Self.resealed(b), "out of range")
        b = good
        Self.putU64(UInt64(good.count) * 4, at: graph + 16, in: &b)
        expectRefused(Self.resealed(b), "out of range")
        b = good
        Self.putU64(UInt64(good[graph + 8]) + 8 + UInt64(good[graph + 9]) << 8, at: graph + 8, in: &b)
        expectRefused(Self.resealed(b), "misaligned")
        b = good
        // The weights section claims to start where the graph does.
        for k in 0..<8 { b[weights + 8 + k] = good[graph + 8 + k] }
        expectRefused(Self.resealed(b), "overlap")
        b = good
        b[Self.sectionEntry(1, in: good)] = 9
        expectRefused(Self.resealed(b), "unknown section kind 9")
        b = good
        b[32] = 7
        expectRefused(Self.resealed(b), "optimization level 7")
    }

    @Test func tensorTableIsChecked() throws {
        let good = try plan()
        let entry = Self.sectionEntry(1, in: good)
        let tableOffset = good[(entry + 8)..<(entry + 16)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        // First tensor: count(4) nameLength(4) name dtype(4) rank(4) dims offset length.
        let nameLength = Int(good[tableOffset + 4]) | Int(good[tableOffset + 5]) << 8
        let dtypeAt = tableOffset + 8 + nameLength
        var b = good
        b[dtypeAt] = 99
        expectRefused(Self.resealed(b), "unknown dtype code 99")
        b = good
        b[dtypeAt + 8] &+= 1   // first dim: the length no longer matches
        expectRefused(Self.resealed(b), "does not match its length")
        b = good
        b[tableOffset] &+= 100   // more tensors than the table holds
        expectRefused(Self.resealed(b), "malformed plan")
    }

    @Test func randomDamageNeverCrashes() throws {
        let good = try plan()
        var rng = SplitMix64(seed: 7)
        for _ in 0..<60 {
            var b = good
            switch rng.next() % 3 {
            case 0: b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
            case 1: b[Int(rng.next() % UInt64(b.count))] ^= UInt8(1 << (rng.next() % 8))
            default:
                // Damage after resealing: exercises the structural checks on garbage.
                for _ in 0..<4 { b[Int(rng.next() % UInt64(min(b.count, 512)))] = UInt8(truncatingIfNeeded: rng.next()) }
                b = b.count >= 32 ? Self.resealed(b) : b
            }
            if b == good { continue }
            do { _ = try load(b) } catch is InferError {} catch { Issue.record("unexpected error \(error)") }
        }
    }

    @Test func checksumSeesEverySingleByteFlip() {
        var bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 131) }
        let base = bytes.withUnsafeBytes { PlanChecksum.checksum($0) }
        for i in stride(from: 0, to: bytes.count, by: 7) {
            bytes[i] ^= 0x01
            #expect(bytes.withUnsafeBytes { PlanChecksum.checksum($0) } != base, "flip at \(i) unnoticed")
            bytes[i] ^= 0x01
        }
        #expect(bytes.withUnsafeBytes { PlanChecksum.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<999])) } != base)
    }
}
