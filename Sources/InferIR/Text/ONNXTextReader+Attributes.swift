extension ONNXTextReader {
    /// `<name: kind = value, name = value, ...>` (the `: kind` annotation is optional except for empty lists).
    mutating func attributeList() throws -> [String: Attribute] {
        try expect("<")
        var attributes: [String: Attribute] = [:]
        repeat {
            let token = current
            let (name, value) = try attribute()
            guard attributes[name] == nil else { throw error(at: token, "duplicate attribute '\(name)'") }
            attributes[name] = value
        } while try accept(",")
        try expect(">", "',' or '>'")
        return attributes
    }

    private mutating func attribute() throws -> (String, Attribute) {
        let name = try identifier("an attribute name")
        var declared: AttributeKind?
        if try accept(":") {
            let kindToken = current
            let kindName = try identifier("an attribute type")
            guard let kind = ONNXTextSyntax.attributeKinds[kindName] else {
                throw error(at: kindToken, "expected an attribute type (int, float, string, tensor, graph, ints, ...), found '\(kindName.prefix(40))'")
            }
            if kind == .sparseTensor || kind == .sparseTensors {
                throw error(at: kindToken, "sparse tensor attributes are not supported", kind: .unsupportedFeature)
            }
            declared = kind
        }
        try expect("=", "'=' after attribute '\(name)'")
        let valueToken = current
        if try accept("[") {
            if let declared, !declared.isList {
                throw error(at: valueToken, "attribute '\(name)' is declared \(declared.name) but its value is a list")
            }
            var items: [Attribute] = []
            if !at("]") {
                repeat {
                    items.append(try singleAttributeValue(name, expected: declared?.elementKind))
                } while try accept(",")
            }
            try expect("]", "',' or ']'")
            return (name, try list(items, declared: declared, name: name, at: valueToken))
        }
        if let declared, declared.isList {
            throw error(at: valueToken, "attribute '\(name)' is declared \(declared.name), so its value must be a list in '[...]'")
        }
        return (name, try singleAttributeValue(name, expected: declared))
    }

    /// One value: a number, string, tensor (`float[2] {1, 2}`), type (`float[N]`) or subgraph.
    private mutating func singleAttributeValue(_ name: String, expected: AttributeKind?) throws -> Attribute {
        let token = current
        let value: Attribute
        switch current.kind {
        case .identifier:
            let word = lexer.text(of: current)
            if ONNXTextSyntax.isTypeStart(word) {
                let type = try valueType()
                if current.kind == .identifier || current.kind == .string || at("{") || at("=") {
                    // A tensor: its own name (dropped: the IR's tensors are unnamed) and values.
                    if !at("{") && !at("=") { _ = try quotableName("a tensor name") }
                    _ = try accept("=")
                    value = .tensor(try tensorValues(type: type, name: name))
                } else {
                    value = .type(try resolve(type, of: "attribute '\(name)'"))
                }
            } else if ONNXTextSyntax.isSpecialFloatWord(word) {
                value = .float(try floatLiteral())
            } else {
                value = .graph(try graph(name: try identifier()))
            }
        case .string:
            let text = try stringLiteral()
            // A quoted graph name (not ONNX's grammar, but lets any subgraph name round-trip).
            value = at("(") || at("=") ? .graph(try graph(name: text)) : .string(text)
        case .integer:
            let intToken = current
            let integer = try integerLiteral()
            if expected == .float {
                value = .float(Float(lexer.text(of: intToken)) ?? Float(integer))
            } else {
                value = .int(integer)
            }
        case .float:
            value = .float(try floatLiteral())
        case .punctuation(UInt8(ascii: "@")):
            throw error(at: token, "attribute references (@name) are only allowed inside functions", kind: .unsupportedFeature)
        default:
            throw error(expected: "a value for attribute '\(name)'")
        }
        if let expected, Self.kind(of: value) != expected {
            throw error(at: token, "attribute '\(name)' is declared \(expected.name) but its value is a \(Self.kind(of: value).name)")
        }
        return value
    }

    /// Builds a list attribute from its items: the declared kind, or the one the items imply
    /// (ints mixed with floats make floats).
    private func list(_ items: [Attribute], declared: AttributeKind?, name: String, at token: ONNXTextToken) throws -> Attribute {
        var kind = declared
        if kind == nil {
            let kinds = Set(items.map { Self.kind(of: $0).name })
            if items.isEmpty {
                throw error(at: token, "the empty list of attribute '\(name)' needs a type annotation, like '\(name): ints = []'")
            } else if kinds == ["int"] {
                kind = .ints
            } else if kinds == ["float"] || kinds == ["int", "float"] {
                kind = .floats
            } else if kinds.count == 1, let only = items.first {
                kind = switch Self.kind(of: only) {
                case .string: .strings
                case .tensor: .tensors
                case .graph: .graphs
                default: .types
                }
            } else {
                throw error(at: token, "attribute '\(name)' mixes values of kinds \(kinds.sorted().joined(separator: ", "))")
            }
        }
        switch kind! {
        case .ints: return .ints(items.compactMap { if case .int(let v) = $0 { v } else { nil } })
        case .floats:
            return .floats(items.compactMap {
                switch $0 {
                case .float(let v): v
                case .int(let v): Float(v)
                default: nil
                }
            })
        case .strings: return .strings(items.compactMap { if case .string(let v) = $0 { v } else { nil } })
        case .tensors: return .tensors(items.compactMap { if case .tensor(let v) = $0 { v } else { nil } })
        case .graphs: return .graphs(items.compactMap { if case .graph(let v) = $0 { v } else { nil } })
        default: return .types(items.compactMap { if case .type(let v) = $0 { v } else { nil } })
        }
    }

    private static func kind(of value: Attribute) -> AttributeKind {
        switch value {
        case .float: .float
        case .int: .int
        case .string: .string
        case .tensor: .tensor
        case .graph: .graph
        case .floats: .floats
        case .ints: .ints
        case .strings: .strings
        case .tensors: .tensors
        case .graphs: .graphs
        case .type: .type
        case .types: .types
        }
    }
}
