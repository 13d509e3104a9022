import Foundation
import InferIR
import InferONNX

/// Serializes an optimized model as a plan file (layout in `PlanFormat`): the graph as ONNX
/// protobuf without initializers, a tensor table, the program summary, and the weights,
/// each tensor 64-byte aligned exactly as the optimized graph holds it (already folded and
/// pre-transposed by the optimizer), so loading is a `mmap` and no copy.
package enum PlanWriter {
    package static func encode(model: Model, optimization: OptimizationLevel, program: Data = Data()) throws -> [UInt8] {
        var graphOnly = model
        graphOnly.graph.initializers = [:]
        let graphBytes = try ONNXExporter.exportModel(graphOnly)

        // Weights and the table that locates them.
        var weights = PlanByteWriter()
        var table = PlanByteWriter()
        let names = model.graph.initializers.keys.sorted()
        table.u32(UInt32(names.count))
        for name in names {
            let t = model.graph.initializers[name]!
            weights.pad(to: PlanFormat.alignment)
            let offset = weights.bytes.count
            if t.byteCount > 0 {
                weights.bytes.append(contentsOf: UnsafeRawBufferPointer(start: t.rawPointer, count: t.byteCount))
            }
            table.string(name)
            table.u32(UInt32(t.dtype.rawValue))
            table.u32(UInt32(t.shape.count))
            for d in t.shape { table.i64(Int64(d)) }
            table.u64(UInt64(offset))
            table.u64(UInt64(t.byteCount))
        }

        let sections: [(PlanFormat.SectionKind, [UInt8])] = [
            (.graph, Array(graphBytes)), (.tensorTable, table.bytes), (.program, Array(program)), (.weights, weights.bytes),
        ]
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

    /// Writes the plan atomically (a reader never sees half a file).
    package static func write(model: Model, optimization: OptimizationLevel, program: Data = Data(), to url: URL) throws -> Int {
        let bytes = try encode(model: model, optimization: optimization, program: program)
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw InferError(.io, "\(url.path): cannot write the plan: \(error.localizedDescription)")
        }
        return bytes.count
    }
}
