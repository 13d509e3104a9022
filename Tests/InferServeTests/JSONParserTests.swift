import Foundation
import InferIR
import Testing
@testable import InferServeProtocol

/// The request decoder's JSON parser: the same structure as Foundation's JSONSerialization on
/// valid text (a differential check over generated documents), every Double read back exactly
/// from its shortest text, exact Int64s beyond 2^53, and every kind of invalid text refused
/// with what is wrong and where.
@Suite struct JSONParserTests {
    static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(ArraySlice(Array(text.utf8))) }

    static func refusal(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Foundation's reading of the same text, as a JSONValue (numbers compared as Doubles).
    static func foundation(_ object: Any) -> JSONValue {
        switch object {
        case is NSNull: return .null
        // corelibs Foundation reads true and false as NSNumbers of a char ("c").
        case let number as NSNumber where String(cString: number.objCType) == "c": return .bool(number.boolValue)
        case let number as NSNumber: return .number(number.doubleValue)
        case let string as String: return .string(string)
        case let array as [Any]: return .array(array.map(foundation))
        case let dictionary as [String: Any]: return .object(dictionary.mapValues(foundation))
        default: return .string("unexpected \(type(of: object))")
        }
    }

    /// Whether two values agree, numbers within 1e-14 relative: Foundation's reader is off in
    /// the last bit for some doubles (it reads -2.392099883720713 as -2.3920998837207135), so
    /// exactness is checked against known values below instead.
    static func agree(_ ours: JSONValue, _ theirs: JSONValue) -> Bool {
        switch (ours, theirs) {
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy(agree)
        case (.object(let a), .object(let b)): return a.keys.sorted() == b.keys.sorted() && a.allSatisfy { agree($0.value, b[$0.key]!) }
        case (_, .number(let b)):
            guard let a = ours.double else { return false }
            return abs(a - b) <= 1e-14 * max(abs(a), abs(b))
        default: return ours == theirs
        }
    }

    static func randomValue(_ rng: inout some RandomNumberGenerator, depth: Int) -> Any {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
        case 0: return NSNull()
        case 1: return Bool.random(using: &rng)
        case 2: return Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng)
        case 3: return Double.random(in: -1e6...1e6, using: &rng) * pow(10, Double(Int.random(in: -30...30, using: &rng)))
        case 4:
            let alphabet = Array("ab\"\\/\n\t\u{1}é€😀 ")
            return String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        case 5: return (0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) }
        default:
            var object: [String: Any] = [:]
            for index in 0..<Int.random(in: 0...4, using: &rng) { object["k\(index)\u{e9}"] = randomValue(&rng, depth: depth + 1) }
            return object
        }
    }

    @Test func agreesWithFoundationOnGeneratedDocuments() throws {
        var rng = SplitMix64(seed: 20261203)
        for index in 0..<400 {
            let document: [String: Any] = ["v": Self.randomValue(&rng, depth: 0)]
            let data = try JSONSerialization.data(withJSONObject: document, options: index % 2 == 0 ? [.prettyPrinted] : [])
            let ours = try JSONParser.parse(ArraySlice([UInt8](data)))
            let theirs = Self.foundation(try JSONSerialization.jsonObject(with: data))
            #expect(Self.agree(ours, theirs), "document \(index): \(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test func everyDoubleReadsBackExactlyFromItsShortestText() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let value = Double(bitPattern: rng.next() & ~(0x7FF << 52) | (UInt64.random(in: 900...1150, using: &rng) << 52))
            let text = "\(value)"
            let parsed = try Self.parse(text)
            #expect(parsed.double == value, "\(text) read as \(parsed)")
        }
        #expect(try Self.parse("5e-324") == .number(5e-324))
        #expect(try Self.parse("1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
    }

    @Test func integersStayExactAndEscapesDecode() throws {
        #expect(try Self.parse("9007199254740993") == .integer(9_007_199_254_740_993))
        #expect(try Self.parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try Self.parse("9223372036854775808") == .number(9.223372036854775808e18), "past Int64: a Double")
        #expect(try Self.parse("1e3") == .number(1000) && (try Self.parse("1e3")).exactInteger == 1000)
        #expect(try Self.parse("2.5").exactInteger == nil)
        #expect(try Self.parse(" [1, -0.5e-2, true, null] ") == .array([.integer(1), .number(-0.005), .bool(true), .null]))
        #expect(try Self.parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀"))
        #expect(try Self.parse(#"{"a": {"b": []}}"#) == .object(["a": .object(["b": .array([])])]))
    }

    @Test(arguments: [
        ("", "expected a value at the end of the text"),
        ("[1, 2", "unterminated array at the end of the text"),
        ("[1 2]", "expected ',' or ']' at byte 3"),
        ("[1,]", "unexpected character ']' at byte 3"),
        (#"{"a" 1}"#, "expected ':' at byte 5"),
        (#"{"a": 1,}"#, "expected a string key at byte 8"),
        (#"{"a": 1, "a": 2}"#, "duplicate key \"a\" at byte 9"),
        ("01", "number with a leading zero at byte 0"),
        ("-", "invalid number at the end of the text"),
        ("1.", "invalid number at the end of the text"),
        (".5", "unexpected character '.' at byte 0"),
        ("+1", "unexpected character '+' at byte 0"),
        ("1e400", "number out of range at byte 0"),
        ("NaN", "unexpected character 'N' at byte 0"),
        ("tru", "invalid literal at byte 0"),
        ("\"abc", "unterminated string at the end of the text"),
        ("\"a\u{1}b\"", "control character in a string at byte 2"),
        (#""\x""#, "invalid escape in a string at byte 2"),
        (#""\ud800""#, "unpaired surrogate in a string at byte 7"),
        (#""\u12""#, "incomplete \\u escape at byte 3"),
        (#""\u12zz""#, "invalid \\u escape at byte 5"),
        ("1 2", "unexpected text after the value at byte 2"),
        (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "nested more than 64 deep at byte 64"),
    ])
    func invalidTextIsRefusedWithWhereAndWhat(text: String, message: String) {
        #expect(Self.refusal(text) == message)
    }

    @Test func invalidUTF8InAStringIsRefused() {
        #expect((try? JSONParser.parse(ArraySlice([0x22, 0xC3, 0x28, 0x22]))) == nil)
    }
}
