import ArgumentParser
import Foundation
import InferIR
import InferRuntime

/// Reading input tensors (`.npy` or ONNX `TensorProto` `.pb`) and naming output files.
enum TensorFiles {
    static func read(_ path: String) throws -> Tensor {
        let url = URL(fileURLWithPath: path)
        if url.pathExtension.lowercased() == "npy" { return try NPYFormat.read(url) }
        return try TensorProtoFile.read(url)
    }

    /// `DIR/NAME.npy` with characters outside `[A-Za-z0-9._-]` replaced by `_`.
    static func outputFileName(for name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        var safe = String(name.map { allowed.contains($0) ? $0 : "_" })
        if safe.isEmpty || safe == "." || safe == ".." { safe = "_" + safe }
        return safe + ".npy"
    }

    /// Parses `NAME=FILE` (the name may itself contain `=`: the last `=` separates).
    static func splitAssignment(_ text: String) throws -> (String, String) {
        guard let eq = text.lastIndex(of: "="), eq != text.startIndex, text.index(after: eq) != text.endIndex else {
            throw ValidationError("expected NAME=FILE, got '\(text)'")
        }
        return (String(text[..<eq]), String(text[text.index(after: eq)...]))
    }
}
