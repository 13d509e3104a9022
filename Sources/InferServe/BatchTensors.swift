import InferRuntime

/// Joining requests' tensors along their first dim, and cutting a batched output back into
/// each request's rows. Row-major layout makes both plain byte concatenation and slicing.
enum BatchTensors {
    static func concatenate(_ parts: [Tensor]) throws(InferError) -> Tensor {
        let first = parts[0]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parts.reduce(0) { $0 + $1.byteCount })
        for part in parts { bytes.append(contentsOf: part.bytes) }
        var shape = first.shape
        shape[0] = parts.reduce(0) { $0 + $1.shape[0] }
        return try Tensor(dtype: first.dtype, shape: shape, bytes: bytes)
    }

    static func split(_ tensor: Tensor, rows: [Int], output: String) throws(InferError) -> [Tensor] {
        let total = rows.reduce(0, +)
        guard tensor.rank > 0, tensor.shape[0] == total else {
            throw InferError(.internalError, "output '\(output)' has shape \(tensor.shape), not \(total) rows for the batch's requests")
        }
        let rowBytes = total == 0 ? 0 : tensor.byteCount / total
        let bytes = tensor.bytes
        var parts: [Tensor] = []
        var offset = 0
        for count in rows {
            var shape = tensor.shape
            shape[0] = count
            parts.append(try Tensor(dtype: tensor.dtype, shape: shape, bytes: bytes[offset..<offset + count * rowBytes]))
            offset += count * rowBytes
        }
        return parts
    }
}
