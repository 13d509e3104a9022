import Foundation
import InferIR
import InferONNX

/// Serializes an optimized model as a plan file (layout in `PlanFormat`): the graph as ONNX
/// protobuf without initializers, a tensor table, the program summary, and the weights,
/// each tensor 64-byte aligned exactly as the optimized graph holds it (already folded and
/// pre-transposed by the optimizer), so loading is a `mmap` and no copy.
package enum PlanWriter {
    /// `source` is the model as imported, stored too when the optimizer folded inputs'
    /// defaults (see `PlanFormat`); its tensors share the weights section with the optimized ones.
    package static func encode(model: Model, optimization: OptimizationLevel, program: Data = Data(),
                               source: Model? = nil, provenance: PlanProvenance? = nil) throws -> [UInt8] {
        var weights = WeightsWriter()
        var sections: [(PlanFormat.SectionKind, [UInt8])] = [
            (.graph, try graphWithoutWeights(model)),
            (.tensorTable, weights.table(for: model.graph.initializers)),
            (.program, Array(program)),
        ]
        if let source {
            sections.append((.sourceGraph, try graphWithoutWeights(source)))
            sections.append((.sourceTensorTable, weights.table(for: source.graph.initializers)))
        }
        sections.append((.weights, weights.bytes.bytes))
        if let provenance { sections.append((.provenance, provenance.encoded())) }
        var header = PlanByteWriter()
        header.bytes.append(contentsOf: PlanFormat.magic)
        header.u32(PlanFormat.version)
        header.u32(0)            // header length, patched below
        header.u64(0)            // file size, patched below
        header.u64(0)            // checksum, patched below
        header.u32(UInt32(optimization.rawValue))
        header.u32(UInt32(sections.count))
        header.string(PlanFormat.compilerVersion)
        let headerLength = PlanFormat.aligned(header.bytes.count + sections.count * PlanFormat.sectionEntryBytes)
        var offset = headerLength
        for (kind, bytes) in sections {
            header.u32(kind.rawValue)
            header.u32(0)
            header.u64(UInt64(offset))
            header.u64(UInt64(bytes.count))
            offset = PlanFormat.aligned(offset + bytes.count)
        }
        header.pad(to: PlanFormat.alignment)
        precondition(header.bytes.count == headerLength)
        var file = header
        for (_, bytes) in sections {
            file.bytes.append(contentsOf: bytes)
            file.pad(to: PlanFormat.alignment)
        }
        file.bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(headerLength).littleEndian, toByteOffset: 12, as: UInt32.self)
        }
        file.patchU64(UInt64(file.bytes.count), at: 16)
        let sum = file.bytes.withUnsafeBytes { PlanChecksum.checksum(UnsafeRawBufferPointer(rebasing: $0[PlanFormat.checksummedFrom...])) }
        file.patchU64(sum, at: 24)
        return file.bytes
    }

    /// Writes what `engine` runs as a plan: its optimized model and, when the optimizer folded
    /// inputs' defaults, the source model too (so fed defaults are still honoured on load).
    package static func write(_ engine: Engine, program: Data = Data(), provenance: PlanProvenance? = nil, to url: URL) throws -> Int {
        try write(model: engine.model, optimization: engine.optimization, program: program,
                  source: engine.fedDefaults?.source, provenance: provenance, to: url)
    }

    /// Writes the plan atomically (a reader never sees half a file).
    package static func write(model: Model, optimization: OptimizationLevel, program: Data = Data(),
                              source: Model? = nil, provenance: PlanProvenance? = nil, to url: URL) throws -> Int {
        let bytes = try encode(model: model, optimization: optimization, program: program, source: source, provenance: provenance)
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw InferError(.io, "\(url.path): cannot write the plan: \(error.localizedDescription)")
        }
        return bytes.count
    }

    private static func graphWithoutWeights(_ model: Model) throws -> [UInt8] {
        var graphOnly = model
        graphOnly.graph.initializers = [:]
        return Array(try ONNXExporter.exportModel(graphOnly))
    }
}

/// The weights section being written, and tensor tables that locate tensors in it. A tensor
/// already written (the same bytes in memory, e.g. a weight both the optimized and the source
/// model hold) is located at its first copy instead of being written again.
private struct WeightsWriter {
    var bytes = PlanByteWriter()
    private var written: [WrittenKey: Int] = [:]

    private struct WrittenKey: Hashable {
        let address: UInt
        let byteCount: Int
    }

    /// A tensor table (count, then per tensor: name, dtype, shape, offset, length), writing
    /// each tensor's bytes 64-byte aligned unless they are already in the section.
    mutating func table(for initializers: [String: Tensor]) -> [UInt8] {
        var table = PlanByteWriter()
        let names = initializers.keys.sorted()
        table.u32(UInt32(names.count))
        for name in names {
            let t = initializers[name]!
            let key = WrittenKey(address: UInt(bitPattern: t.rawPointer), byteCount: t.byteCount)
            let offset: Int
            if let at = written[key], t.byteCount > 0 {
                offset = at
            } else {
                bytes.pad(to: PlanFormat.alignment)
                offset = bytes.bytes.count
                if t.byteCount > 0 {
                    bytes.bytes.append(contentsOf: UnsafeRawBufferPointer(start: t.rawPointer, count: t.byteCount))
                    written[key] = offset
                }
            }
            table.string(name)
            table.u32(UInt32(t.dtype.rawValue))
            table.u32(UInt32(t.shape.count))
            for d in t.shape { table.i64(Int64(d)) }
            table.u64(UInt64(offset))
            table.u64(UInt64(t.byteCount))
        }
        return table.bytes
    }
}
