/// A JSON value as the request decoder reads it (RFC 8259). Integers without a fraction or
/// exponent that fit Int64 stay exact (`integer`), so INT64 tensor data above 2^53 is not
/// rounded through a Double; every other number is a finite `number`.
package enum JSONValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// How a value is named in an error ("a string", "an object").
    package var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as an exact integer: an `integer`, or a `number` with no fractional part
    /// within Int64 (`1e3`, `2.0`).
    package var exactInteger: Int64? {
        switch self {
        case .integer(let value): value
        case .number(let value): value == value.rounded() && abs(value) < 9.2e18 ? Int64(value) : nil
        default: nil
        }
    }

    /// The value as a Double, for numbers.
    package var double: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// Compact text for error messages (arrays as Swift prints them: `[1, -2]`).
    package var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): "\"\(value)\""
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let members): "{" + members.keys.sorted().map { "\"\($0)\": \(members[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}
