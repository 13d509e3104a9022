import InferServeProtocol
/// What the server takes from a Triton `config.pbtxt` (protobuf text format): the batch size
/// limit, the batching window and the instance count. Every other top-level field is listed in
/// `ignoredFields`, which the server prints at startup so nobody believes it was applied.
struct TritonModelConfig: Equatable, Sendable {
    /// `max_batch_size` (0 turns batching off, as in Triton).
    var maxBatchSize: Int?
    /// `dynamic_batching { max_queue_delay_microseconds }`.
    var batchWindowMicroseconds: Int?
    /// Whether a `dynamic_batching` block is present (Triton batches only then).
    var dynamicBatching = false
    /// `instance_group [{ count }]`, summed over the groups.
    var instanceCount: Int?
    /// Fields read but not applied (`input`, `output`, `optimization`, `dynamic_batching.preferred_batch_size`...).
    var ignoredFields: [String] = []

    static func parse(_ text: String, file: String) throws(ServeError) -> TritonModelConfig {
        var parser = TextFormatParser(text: text, file: file)
        let fields = try parser.parseMessage(closing: nil)
        var config = TritonModelConfig()
        for (key, value) in fields {
            switch (key, value) {
            case ("max_batch_size", .scalar(let s)):
                config.maxBatchSize = try parser.integer(s, field: key, range: 0...1_048_576)
            case ("dynamic_batching", .message(let inner)):
                config.dynamicBatching = true
                for (innerKey, innerValue) in inner {
                    if innerKey == "max_queue_delay_microseconds", case .scalar(let s) = innerValue {
                        config.batchWindowMicroseconds = try parser.integer(s, field: "dynamic_batching.\(innerKey)", range: 0...60_000_000)
                    } else {
                        config.ignoredFields.append("dynamic_batching.\(innerKey)")
                    }
                }
            case ("instance_group", .message(let group)):
                config.instanceCount = (config.instanceCount ?? 0) + (try instanceCount(group, parser: parser))
            case ("instance_group", .list(let groups)):
                for case .message(let group) in groups {
                    config.instanceCount = (config.instanceCount ?? 0) + (try instanceCount(group, parser: parser))
                }
            case ("name", _), ("platform", _), ("backend", _):
                continue  // the folder names the model; the engine is the backend
            default:
                config.ignoredFields.append(key)
            }
        }
        return config
    }

    private static func instanceCount(_ group: [(String, TextFormatParser.Value)], parser: TextFormatParser) throws(ServeError) -> Int {
        for (key, value) in group where key == "count" {
            if case .scalar(let s) = value { return try parser.integer(s, field: "instance_group.count", range: 1...64) }
        }
        return 1
    }
}

/// A reader for the protobuf text format as far as model configs use it: `key: value`,
/// `key { ... }`, `key [ v, ... ]`, `#` comments, quoted strings. Values stay text; the caller
/// converts the ones it uses.
struct TextFormatParser {
    indirect enum Value {
        case scalar(String)
        case message([(String, Value)])
        case list([Value])
    }

    private let characters: [Character]
    private var position = 0
    let file: String

    init(text: String, file: String) {
        characters = Array(text)
        self.file = file
    }

    private var line: Int { characters[..<min(position, characters.count)].filter { $0 == "\n" }.count + 1 }

    private func failure(_ what: String) -> ServeError {
        ServeError(.invalidModel, "\(file):\(line): \(what)")
    }

    func integer(_ text: String, field: String, range: ClosedRange<Int>) throws(ServeError) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ServeError(.invalidModel, "\(file): \(field) is '\(text)', expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    private mutating func skipSpaceAndComments() {
        while position < characters.count {
            let c = characters[position]
            if c == "#" {
                while position < characters.count, characters[position] != "\n" { position += 1 }
            } else if c.isWhitespace || c == "," || c == ";" {
                position += 1
            } else {
                return
            }
        }
    }

    private mutating func identifier() throws(ServeError) -> String {
        let start = position
        while position < characters.count, characters[position].isLetter || characters[position].isNumber || characters[position] == "_" {
            position += 1
        }
        guard position > start else { throw failure("expected a field name, found '\(characters[position])'") }
        return String(characters[start..<position])
    }

    /// Fields until `closing` (or the end of the text for the top level).
    mutating func parseMessage(closing: Character?) throws(ServeError) -> [(String, Value)] {
        var fields: [(String, Value)] = []
        while true {
            skipSpaceAndComments()
            guard position < characters.count else {
                if let closing { throw failure("missing '\(closing)' before the end of the file") }
                return fields
            }
            if let closing, characters[position] == closing {
                position += 1
                return fields
            }
            let key = try identifier()
            skipSpaceAndComments()
            if position < characters.count, characters[position] == ":" {
                position += 1
                skipSpaceAndComments()
            }
            fields.append((key, try value()))
            guard fields.count <= 10_000 else { throw failure("more than 10000 fields") }
        }
    }

    private mutating func value(depth: Int = 0) throws(ServeError) -> Value {
        guard depth < 64 else { throw failure("nested more than 64 deep") }
        guard position < characters.count else { throw failure("a field has no value") }
        switch characters[position] {
        case "{", "<":
            let closing: Character = characters[position] == "{" ? "}" : ">"
            position += 1
            return .message(try parseMessage(closing: closing))
        case "[":
            position += 1
            var items: [Value] = []
            while true {
                skipSpaceAndComments()
                guard position < characters.count else { throw failure("missing ']' before the end of the file") }
                if characters[position] == "]" {
                    position += 1
                    return .list(items)
                }
                items.append(try value(depth: depth + 1))
            }
        case "\"", "'":
            let quote = characters[position]
            position += 1
            var text = ""
            while position < characters.count, characters[position] != quote {
                if characters[position] == "\\", position + 1 < characters.count { position += 1 }
                text.append(characters[position])
                position += 1
            }
            guard position < characters.count else { throw failure("unterminated string") }
            position += 1
            return .scalar(text)
        default:
            let start = position
            while position < characters.count, !characters[position].isWhitespace,
                  !",;{}[]<>#".contains(characters[position]) {
                position += 1
            }
            guard position > start else { throw failure("unexpected '\(characters[position])'") }
            return .scalar(String(characters[start..<position]))
        }
    }
}
