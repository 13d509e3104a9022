import Foundation
import InferIR
import InferONNX

/// A plan file loaded for running: the optimized model whose initializers are views over the
/// mapped file (no copy), the header, and the program summary bytes.
package struct LoadedPlan: Sendable {
    package let model: Model
    /// The model as imported, when the optimizer folded inputs' defaults (see `PlanFormat`).
    package let source: Model?
    package let optimization: OptimizationLevel
    package let header: PlanHeader
    package let program: Data
}

/// Maps and validates plan files. Every refusal is one `.invalidPlan` line saying which check
/// failed (wrong magic, other format version, truncated, checksum, malformed section); no byte
/// sequence can crash it.
package enum PlanReader {
    /// Whether to load the file as a plan: it starts with the plan magic (plans are told from
    /// models by content, whatever their name), or it is named `.plan` — so a damaged plan is
    /// refused as "not a swiftc-infer plan" rather than as a malformed ONNX model.
    package static func isPlan(_ url: URL) -> Bool {
        hasPlanMagic(url) || url.pathExtension.lowercased() == "plan"
    }

    package static func hasPlanMagic(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: PlanFormat.magic.count) else { return false }
        return Array(head) == PlanFormat.magic
    }

    package static func load(_ url: URL) throws -> LoadedPlan {
        let path = url.path
        do {
            return try load(PlanMapping(path: path))
        } catch let error as InferError {
            throw error.message.hasPrefix(path) ? error : error.prefixed(path)
        }
    }

    package static func load(_ mapping: PlanMapping) throws -> LoadedPlan {
        let file = mapping.bytes
        guard file.count >= PlanFormat.magic.count, Array(file[0..<PlanFormat.magic.count]) == PlanFormat.magic else {
            throw InferError(.invalidPlan, "not a swiftc-infer plan (wrong magic)")
        }
        guard file.count >= PlanFormat.checksummedFrom else {
            throw InferError(.invalidPlan, "truncated plan: \(file.count) bytes, shorter than the \(PlanFormat.checksummedFrom)-byte fixed header")
        }
        var fixed = PlanByteReader(file, what: "header")
        fixed.position = 8
        let version = try fixed.u32()
        guard version == PlanFormat.version else {
            throw InferError(.invalidPlan, "plan format \(version), this build reads \(PlanFormat.version): recompile the model")
        }
        let headerLength = Int(try fixed.u32())
        let declaredSize = try fixed.size("file size")
        let storedChecksum = try fixed.u64()
        guard file.count >= declaredSize else {
            throw InferError(.invalidPlan, "truncated plan: \(file.count) bytes, the header says \(declaredSize)")
        }
        guard file.count == declaredSize else {
            throw InferError(.invalidPlan, "malformed plan: \(file.count - declaredSize) bytes after the declared end (\(declaredSize) bytes)")
        }
        guard headerLength >= PlanFormat.checksummedFrom + 12, headerLength <= declaredSize,
              headerLength % PlanFormat.alignment == 0 else {
            throw InferError(.invalidPlan, "malformed plan: header length \(headerLength) is out of range or misaligned")
        }
        let actual = PlanChecksum.checksum(UnsafeRawBufferPointer(rebasing: file[PlanFormat.checksummedFrom...]))
        guard actual == storedChecksum else {
            throw InferError(.invalidPlan, "corrupted plan: checksum \(hex(actual)) does not match the header's \(hex(storedChecksum))")
        }

        var header = PlanByteReader(UnsafeRawBufferPointer(rebasing: file[0..<headerLength]), what: "header")
        header.position = PlanFormat.checksummedFrom
        let levelCode = try header.u32()
        guard let level = OptimizationLevel(rawValue: Int(levelCode)) else {
            throw InferError(.invalidPlan, "malformed plan: optimization level \(levelCode) is unknown")
        }
        let sectionCount = Int(try header.u32())
        guard sectionCount <= 64 else { throw InferError(.invalidPlan, "malformed plan: \(sectionCount) sections") }
        let compilerVersion = try header.string(maxBytes: 4096)
        var sections: [PlanFormat.SectionKind: Range<Int>] = [:]
        for _ in 0..<sectionCount {
            let code = try header.u32()
            _ = try header.u32()
            let offset = try header.size("section offset"), length = try header.size("section length")
            guard let kind = PlanFormat.SectionKind(rawValue: code) else {
                throw InferError(.invalidPlan, "malformed plan: unknown section kind \(code)")
            }
            guard sections[kind] == nil else { throw InferError(.invalidPlan, "malformed plan: two \(kind.name) sections") }
            guard offset >= headerLength, offset % PlanFormat.alignment == 0, length <= declaredSize - offset else {
                throw InferError(.invalidPlan, "malformed plan: \(kind.name) section (offset \(offset), \(length) bytes) is out of range or misaligned")
            }
            sections[kind] = offset..<(offset + length)
        }
        for kind in PlanFormat.SectionKind.required where sections[kind] == nil {
            throw InferError(.invalidPlan, "malformed plan: no \(kind.name) section")
        }
        guard (sections[.sourceGraph] == nil) == (sections[.sourceTensorTable] == nil) else {
            throw InferError(.invalidPlan, "malformed plan: a source graph section needs its source tensor table, and back")
        }
        let ordered = sections.filter { !$0.value.isEmpty }.sorted { $0.value.lowerBound < $1.value.lowerBound }
        for (a, b) in zip(ordered, ordered.dropFirst()) where a.value.upperBound > b.value.lowerBound {
            throw InferError(.invalidPlan, "malformed plan: the \(a.key.name) and \(b.key.name) sections overlap")
        }
        func section(_ kind: PlanFormat.SectionKind) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: file[sections[kind]!])
        }

        // Weights: one borrowed storage over the mapped section, a view per tensor.
        let weightsRange = sections[.weights]!
        let weights = TensorStorage(borrowing: UnsafeMutableRawPointer(mutating: mapping.base + weightsRange.lowerBound),
                                    byteCount: weightsRange.count, owner: mapping)
        func model(_ graphKind: PlanFormat.SectionKind, _ tableKind: PlanFormat.SectionKind) throws -> Model {
            let initializers = try readTensorTable(section(tableKind), weights: weights, what: tableKind.name)
            var model: Model
            do {
                // The graph without weights is small: a copy keeps decoded attributes independent of the mapping.
                model = try ONNXImporter.importModel(data: Data(section(graphKind)), baseDirectory: nil)
            } catch let error as InferError {
                throw InferError(.invalidPlan, "malformed plan: \(graphKind.name) section: \(error.message)")
            }
            guard model.graph.initializers.isEmpty else {
                throw InferError(.invalidPlan, "malformed plan: \(graphKind.name) section holds initializers")
            }
            model.graph.initializers = initializers
            return model
        }
        let optimized = try model(.graph, .tensorTable)
        let source = sections[.sourceGraph] == nil ? nil : try model(.sourceGraph, .sourceTensorTable)
        let program = Data(section(.program))
        var info = PlanHeader(formatVersion: Int(version), compilerVersion: compilerVersion, optimizationLevel: level.rawValue,
                              fileBytes: declaredSize, checksum: storedChecksum,
                              sectionBytes: PlanFormat.SectionKind.allCases.compactMap { kind in sections[kind].map { (kind.name, $0.count) } })
        if sections[.provenance] != nil { info.provenance = try PlanProvenance.decode(section(.provenance)) }
        return LoadedPlan(model: optimized, source: source, optimization: level, header: info, program: program)
    }

    /// Parses and checks a tensor table: known dtypes, sane shapes, lengths that match,
    /// 64-byte aligned offsets inside the weights, no two tensors partly overlapping (two names
    /// may share the same bytes exactly: the writer stores equal tensors once).
    private static func readTensorTable(_ bytes: UnsafeRawBufferPointer, weights: TensorStorage, what: String) throws -> [String: Tensor] {
        var r = PlanByteReader(bytes, what: what)
        let count = Int(try r.u32())
        guard count <= bytes.count / 32 + 1 else { throw InferError(.invalidPlan, "malformed plan: tensor table claims \(count) tensors") }
        var tensors: [String: Tensor] = [:]
        var extents: [(Range<Int>, String)] = []
        for _ in 0..<count {
            let name = try r.string()
            let code = try r.u32()
            guard let dtype = DType(rawValue: Int(code)) else {
                throw InferError(.invalidPlan, "malformed plan: tensor \"\(name)\" has unknown dtype code \(code)")
            }
            let rank = Int(try r.u32())
            guard rank <= 64 else { throw InferError(.invalidPlan, "malformed plan: tensor \"\(name)\" has rank \(rank)") }
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(Int(try r.i64())) }
            let offset = try r.size("offset"), length = try r.size("length")
            guard let n = elementCount(shape), case (let bytes, false) = n.multipliedReportingOverflow(by: dtype.byteSize),
                  bytes == length else {
                throw InferError(.invalidPlan, "malformed plan: tensor \"\(name)\" \(dtype)\(shape) does not match its length \(length)")
            }
            guard offset % PlanFormat.alignment == 0, offset <= weights.byteCount, length <= weights.byteCount - offset else {
                throw InferError(.invalidPlan, "malformed plan: tensor \"\(name)\" (offset \(offset), \(length) bytes) is outside the weights or misaligned")
            }
            guard tensors[name] == nil else { throw InferError(.invalidPlan, "malformed plan: tensor \"\(name)\" is listed twice") }
            tensors[name] = Tensor(dtype: dtype, shape: shape, storage: weights, byteOffset: offset)
            if length > 0 { extents.append((offset..<(offset + length), name)) }
        }
        extents.sort { $0.0.lowerBound < $1.0.lowerBound }
        for (a, b) in zip(extents, extents.dropFirst()) where a.0.upperBound > b.0.lowerBound && a.0 != b.0 {
            throw InferError(.invalidPlan, "malformed plan: tensors \"\(a.1)\" and \"\(b.1)\" overlap")
        }
        return tensors
    }

    private static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
