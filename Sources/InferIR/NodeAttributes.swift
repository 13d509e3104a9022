/// Typed attribute access. A missing attribute with no default, or one of the wrong kind,
/// is an `.invalidModel` error naming the node and attribute.
extension Node {
    private func wrongKind(_ key: String, _ expected: String, _ found: Attribute) -> InferError {
        InferError.at(self, opset: nil, .invalidModel,
                      "attribute '\(key)' should be \(expected), found \(found.kindName)")
    }

    private func missing(_ key: String) -> InferError {
        InferError.at(self, opset: nil, .invalidModel, "required attribute '\(key)' is missing")
    }

    package func hasAttribute(_ key: String) -> Bool { attributes[key] != nil }

    package func int(_ key: String, default value: Int? = nil) throws -> Int {
        switch attributes[key] {
        case .int(let v)?: return v
        case nil: if let value { return value } else { throw missing(key) }
        case let other?: throw wrongKind(key, "int", other)
        }
    }

    package func float(_ key: String, default value: Float? = nil) throws -> Float {
        switch attributes[key] {
        case .float(let v)?: return v
        case .int(let v)?: return Float(v)
        case nil: if let value { return value } else { throw missing(key) }
        case let other?: throw wrongKind(key, "float", other)
        }
    }

    package func string(_ key: String, default value: String? = nil) throws -> String {
        switch attributes[key] {
        case .string(let v)?: return v
        case nil: if let value { return value } else { throw missing(key) }
        case let other?: throw wrongKind(key, "string", other)
        }
    }

    package func ints(_ key: String, default value: [Int]? = nil) throws -> [Int] {
        switch attributes[key] {
        case .ints(let v)?: return v
        case .int(let v)?: return [v]
        case nil: if let value { return value } else { throw missing(key) }
        case let other?: throw wrongKind(key, "ints", other)
        }
    }

    /// Optional variant: nil when absent.
    package func intsIfPresent(_ key: String) throws -> [Int]? {
        attributes[key] == nil ? nil : try ints(key)
    }

    package func floats(_ key: String, default value: [Float]? = nil) throws -> [Float] {
        switch attributes[key] {
        case .floats(let v)?: return v
        case nil: if let value { return value } else { throw missing(key) }
        case let other?: throw wrongKind(key, "floats", other)
        }
    }

    package func strings(_ key: String, default value: [String]? = nil) throws -> [String] {
        switch attributes[key] {
        case .strings(let v)?: return v
        case nil: if let value { return value } else { throw missing(key) }
        case let other?: throw wrongKind(key, "strings", other)
        }
    }

    package func tensor(_ key: String) throws -> Tensor? {
        switch attributes[key] {
        case .tensor(let t)?: return t
        case nil: return nil
        case let other?: throw wrongKind(key, "tensor", other)
        }
    }
}

/// Normalizes a possibly negative axis against `rank`; throws when out of range.
package func normalizeAxis(_ axis: Int, rank: Int, node: Node) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < max(rank, 1) || (rank == 0 && a == 0) else {
        throw InferError.at(node, opset: nil, .invalidModel, "axis \(axis) is out of range for rank \(rank)")
    }
    return a
}
