/// One token of the ONNX textual syntax, located by line and column (1-based; columns count
/// Unicode scalars) so parse errors can point at it.
struct ONNXTextToken {
    enum Kind: Equatable {
        case identifier     // [A-Za-z_][A-Za-z0-9_]*
        case integer        // -?[0-9]+
        case float          // -?[0-9]+(.[0-9]*)?([eE][+-]?[0-9]+)?  or  -?(nan|inf|infinity)
        case string         // "..." with backslash escapes
        case punctuation(UInt8)
        case end
    }

    var kind: Kind
    /// Byte range of the token in the source (a string token includes its quotes).
    var start: Int
    var end: Int
    var line: Int
    var column: Int

    func isPunctuation(_ character: Character) -> Bool {
        if case .punctuation(let byte) = kind { return byte == character.asciiValue }
        return false
    }
}

/// Splits ONNX text into tokens on demand (the parser pulls one at a time, so a text holding
/// millions of tensor values never materializes a token array). Whitespace and `#` comments
/// (to the end of the line) separate tokens.
struct ONNXTextLexer {
    let bytes: [UInt8]
    private var offset = 0
    private var line = 1
    private var column = 1

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// The source text of a token (for identifiers and numbers).
    func text(of token: ONNXTextToken) -> String {
        String(decoding: bytes[token.start..<token.end], as: UTF8.self)
    }

    /// The value of a string token: quotes removed, `\x` replaced by `x` (the ONNX rule: a
    /// backslash makes the next character literal; there are no `\n`-style escapes).
    func stringValue(of token: ONNXTextToken) -> String {
        var value: [UInt8] = []
        value.reserveCapacity(token.end - token.start)
        var i = token.start + 1
        while i < token.end - 1 {
            if bytes[i] == UInt8(ascii: "\\") { i += 1 }
            value.append(bytes[i])
            i += 1
        }
        return String(decoding: value, as: UTF8.self)
    }

    mutating func next() throws -> ONNXTextToken {
        skipWhitespaceAndComments()
        let start = offset, startLine = line, startColumn = column
        func token(_ kind: ONNXTextToken.Kind) -> ONNXTextToken {
            ONNXTextToken(kind: kind, start: start, end: offset, line: startLine, column: startColumn)
        }
        guard offset < bytes.count else { return token(.end) }
        let byte = bytes[offset]
        if Self.isIdentifierStart(byte) {
            while offset < bytes.count, Self.isIdentifierContinuation(bytes[offset]) { advance() }
            return token(.identifier)
        }
        if Self.isDigit(byte) || byte == UInt8(ascii: "-") {
            return token(try lexNumber(line: startLine, column: startColumn))
        }
        if byte == UInt8(ascii: "\"") {
            advance()
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") {
                if bytes[offset] == UInt8(ascii: "\\") { advance() }
                if offset < bytes.count { advance() }
            }
            guard offset < bytes.count else {
                throw ONNXTextLexer.error(line: startLine, column: startColumn,
                                          "unterminated string literal (no closing '\"' before the end of input)")
            }
            advance()
            return token(.string)
        }
        if Self.punctuation.contains(byte) {
            advance()
            return token(.punctuation(byte))
        }
        let scalar = String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self).unicodeScalars.first
        let shown = scalar.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? "'\($0)'" : "U+\(String($0.value, radix: 16, uppercase: true))" } ?? "byte"
        throw ONNXTextLexer.error(line: startLine, column: startColumn, "unexpected character \(shown)")
    }

    /// Numbers follow the ONNX lexer: an optional `-`, digits with at most one `.`, an optional
    /// exponent; or a signed `nan` / `inf` / `infinity` (any case).
    private mutating func lexNumber(line: Int, column: Int) throws -> ONNXTextToken.Kind {
        if bytes[offset] == UInt8(ascii: "-") {
            advance()
            if offset < bytes.count, Self.isIdentifierStart(bytes[offset]) {
                let wordStart = offset
                while offset < bytes.count, Self.isIdentifierContinuation(bytes[offset]) { advance() }
                let word = String(decoding: bytes[wordStart..<offset], as: UTF8.self).lowercased()
                guard ["nan", "inf", "infinity"].contains(word) else {
                    throw ONNXTextLexer.error(line: line, column: column, "expected a number after '-', found '\(word.prefix(32))'")
                }
                return .float
            }
            guard offset < bytes.count, Self.isDigit(bytes[offset]) else {
                throw ONNXTextLexer.error(line: line, column: column, "expected a number after '-'")
            }
        }
        var isFloat = false
        while offset < bytes.count, Self.isDigit(bytes[offset]) || bytes[offset] == UInt8(ascii: ".") {
            if bytes[offset] == UInt8(ascii: ".") {
                if isFloat { break }
                isFloat = true
            }
            advance()
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            isFloat = true
            advance()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { advance() }
            guard offset < bytes.count, Self.isDigit(bytes[offset]) else {
                throw ONNXTextLexer.error(line: line, column: column, "malformed exponent in number")
            }
            while offset < bytes.count, Self.isDigit(bytes[offset]) { advance() }
        }
        return isFloat ? .float : .integer
    }

    private mutating func skipWhitespaceAndComments() {
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "#") {
                while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { advance() }
            } else if byte == 0x20 || (byte >= 0x09 && byte <= 0x0d) {
                advance()
            } else {
                return
            }
        }
    }

    private mutating func advance() {
        let byte = bytes[offset]
        offset += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {  // count scalars, not UTF-8 continuation bytes
            column += 1
        }
    }

    static func error(line: Int, column: Int, _ message: String) -> InferError {
        InferError(.parse, "line \(line), column \(column): \(message)")
    }

    private static let punctuation: Set<UInt8> = Set("<>()[]{},:=.@?".utf8)

    static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == UInt8(ascii: "_")
    }

    static func isIdentifierContinuation(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
