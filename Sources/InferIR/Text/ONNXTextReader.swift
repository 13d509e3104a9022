/// Parser state: a lexer plus one token of lookahead, and the helpers every grammar rule uses
/// (matching punctuation, names, literals, errors that point at a line and column).
struct ONNXTextReader {
    var lexer: ONNXTextLexer
    private(set) var current: ONNXTextToken
    /// Subgraph nesting of the graph being read (0: the main graph), held to `ResourceLimits.maxNesting`.
    var graphDepth = 0

    init(_ text: String) throws {
        lexer = ONNXTextLexer(text)
        current = ONNXTextToken(kind: .end, start: 0, end: 0, line: 1, column: 1)
        current = try lexer.next()
    }

    // MARK: Cursor

    /// Consumes and returns the current token.
    @discardableResult
    mutating func advance() throws -> ONNXTextToken {
        let token = current
        if token.kind != .end { current = try lexer.next() }
        return token
    }

    var atEnd: Bool { current.kind == .end }

    func at(_ character: Character) -> Bool { current.isPunctuation(character) }

    /// Consumes `character` if it is next.
    mutating func accept(_ character: Character) throws -> Bool {
        guard at(character) else { return false }
        try advance()
        return true
    }

    mutating func expect(_ character: Character, _ what: String? = nil) throws {
        guard at(character) else { throw error(expected: what ?? "'\(character)'") }
        try advance()
    }

    /// The identifier text of the current token, or nil.
    var currentIdentifier: String? {
        current.kind == .identifier ? lexer.text(of: current) : nil
    }

    // MARK: Names

    mutating func identifier(_ what: String = "an identifier") throws -> String {
        guard let id = currentIdentifier else { throw error(expected: what) }
        try advance()
        return id
    }

    /// An identifier or a string literal (for names that are not identifiers, like `"onnx::Conv_3"`).
    mutating func quotableName(_ what: String) throws -> String {
        if current.kind == .string { return lexer.stringValue(of: try advance()) }
        return try identifier(what)
    }

    mutating func stringLiteral(_ what: String = "a string literal") throws -> String {
        guard current.kind == .string else { throw error(expected: what) }
        return lexer.stringValue(of: try advance())
    }

    /// A comma-separated list of value names where an item may be empty (`Op(, x)`, `Op("", x)`),
    /// following the ONNX rule: an empty item counts only when a comma follows it, and a trailing
    /// comma after a name adds nothing.
    mutating func nameList() throws -> [String] {
        var names: [String] = []
        guard let first = try optionalListItem() else { return names }
        names.append(first)
        while try accept(",") {
            guard let name = try optionalListItem() else { break }
            names.append(name)
        }
        return names
    }

    private mutating func optionalListItem() throws -> String? {
        switch current.kind {
        case .string: return lexer.stringValue(of: try advance())
        case .identifier: return lexer.text(of: try advance())
        default: return at(",") ? "" : nil
        }
    }

    // MARK: Literals

    mutating func integerLiteral(_ what: String = "an integer") throws -> Int {
        guard current.kind == .integer else { throw error(expected: what) }
        let token = current
        guard let value = Int(lexer.text(of: token)) else {
            throw error(at: token, "integer \(lexer.text(of: token).prefix(40)) is out of range")
        }
        try advance()
        return value
    }

    /// True when the current token can start a number (including `nan`/`inf` written as words).
    var atNumber: Bool {
        switch current.kind {
        case .integer, .float: true
        case .identifier: ONNXTextSyntax.isSpecialFloatWord(lexer.text(of: current))
        default: false
        }
    }

    /// A float or integer literal as a Float (correctly rounded from the decimal text).
    mutating func floatLiteral() throws -> Float {
        let (token, text) = try numberText()
        if let special = Self.special(text, Float.self) { return special }
        guard let value = Float(text), value.isFinite else {
            throw error(at: token, "number \(text.prefix(40)) is out of range for float")
        }
        return value
    }

    mutating func doubleLiteral() throws -> Double {
        let (token, text) = try numberText()
        if let special = Self.special(text, Double.self) { return special }
        guard let value = Double(text), value.isFinite else {
            throw error(at: token, "number \(text.prefix(40)) is out of range for double")
        }
        return value
    }

    private mutating func numberText() throws -> (ONNXTextToken, String) {
        guard atNumber else { throw error(expected: "a number") }
        let token = try advance()
        return (token, lexer.text(of: token))
    }

    private static func special<F: BinaryFloatingPoint>(_ text: String, _: F.Type) -> F? {
        let lower = text.lowercased()
        let negative = lower.hasPrefix("-")
        switch negative ? String(lower.dropFirst()) : lower {
        case "nan": return negative ? -F.nan : F.nan
        case "inf", "infinity": return negative ? -F.infinity : F.infinity
        default: return nil
        }
    }

    // MARK: Errors

    /// `line L, column C: expected X, found Y` at the current token.
    func error(expected: String) -> InferError {
        error(at: current, "expected \(expected), found \(describe(current))")
    }

    func error(at token: ONNXTextToken, _ message: String, kind: InferError.Kind = .parse) -> InferError {
        InferError(kind, "line \(token.line), column \(token.column): \(message)")
    }

    /// A one-line description of a token for error messages.
    func describe(_ token: ONNXTextToken) -> String {
        switch token.kind {
        case .end: return "end of input"
        case .punctuation(let byte): return "'\(Character(Unicode.Scalar(byte)))'"
        case .identifier: return "'\(lexer.text(of: token).prefix(40))'"
        case .integer, .float: return "number \(lexer.text(of: token).prefix(40))"
        case .string:
            let value = lexer.stringValue(of: token)
            let shown = value.prefix(40).map { $0.isNewline ? "\\n" : String($0) }.joined()
            return "string \"\(shown)\(value.count > 40 ? "..." : "")\""
        }
    }
}
