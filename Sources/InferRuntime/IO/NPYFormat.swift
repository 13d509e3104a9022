import Foundation
import InferIR

/// NumPy `.npy` files (format versions 1–3), little-endian C-order arrays of the engine's dtypes.
/// Everything a file can get wrong (magic, header, dtype, byte count) is a one-line `.io` error.
///
/// ```swift
/// let x = try NPYFormat.read(URL(fileURLWithPath: "x.npy"))
/// try NPYFormat.write(try engine.run(["x": x])["y"]!, to: URL(fileURLWithPath: "y.npy"))
/// ```
package enum NPYFormat {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    private static let descriptors: [(String, DType)] = [
        ("<f4", .float32), ("<f8", .float64), ("<i8", .int64), ("<i4", .int32),
        ("|i1", .int8), ("<i1", .int8), ("|u1", .uint8), ("<u1", .uint8), ("|b1", .bool), ("<b1", .bool),
    ]

    package static func read(_ url: URL) throws -> Tensor {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InferError(.io, "\(url.path): cannot read (\(error.localizedDescription))")
        }
        do { return try decode(data) } catch let e as InferError {
            throw e.prefixed(url.path)
        }
    }

    package static func decode(_ data: Data) throws -> Tensor {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw InferError(.io, "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw InferError(.io, "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw InferError(.io, "unsupported .npy format version \(major)")
        }
        guard headerStart + headerLength <= bytes.count,
              let header = String(bytes: bytes[headerStart..<headerStart + headerLength], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw InferError(.io, "truncated .npy header")
        }
        guard let descr = field("descr", in: header).map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }) else {
            throw InferError(.io, "the .npy header has no 'descr'")
        }
        guard let dtype = descriptors.first(where: { $0.0 == descr })?.1 else {
            throw InferError(.unsupportedDType, "unsupported .npy dtype '\(descr)' (supported: float32, float64, int64, int32, int8, uint8, bool, little-endian)")
        }
        if field("fortran_order", in: header) == "True" {
            throw InferError(.io, "Fortran-ordered .npy arrays are not supported; save with np.ascontiguousarray")
        }
        guard let shapeText = field("shape", in: header) else { throw InferError(.io, "the .npy header has no 'shape'") }
        let dims = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { (s: String) -> Int in
                guard let v = Int(s), v >= 0 else { throw InferError(.io, "bad .npy shape '\(shapeText)'") }
                return v
            }
        let payload = bytes.count - (headerStart + headerLength)
        let needed = try CheckedDims(label: "", kind: .io).byteCount(dtype, dims, "the .npy shape")
        try ResourceLimits.current.checkTensor(bytes: needed, "the .npy array \(dtype)\(dims)")
        guard needed == payload else {
            throw InferError(.io, ".npy data is \(payload) bytes, but shape \(dims) of \(dtype) needs \(needed)")
        }
        return try Tensor(dtype: dtype, shape: dims, bytes: bytes[(headerStart + headerLength)...])
    }

    /// The text of `key`'s value in the header dict (`'shape': (2, 3)` -> `(2, 3)`).
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        rest = rest.prefix { $0 != "," && $0 != "}" }
        return rest.trimmingCharacters(in: .whitespaces)
    }

    package static func encode(_ tensor: Tensor) -> Data {
        let descr = descriptors.first { $0.1 == tensor.dtype }!.0
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(\(tensor.shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        // Pad so the data starts on a 64-byte boundary, header ends with '\n'.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic + [1, 0])
        let length = header.utf8.count
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: tensor.bytes)
        return data
    }

    package static func write(_ tensor: Tensor, to url: URL) throws {
        do { try encode(tensor).write(to: url) } catch {
            throw InferError(.io, "\(url.path): cannot write (\(error.localizedDescription))")
        }
    }
}
