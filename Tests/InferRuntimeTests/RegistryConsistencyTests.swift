import Testing
import InferIR
@testable import InferRuntime

/// The IR's operator schemas and the runtime's kernel bindings are two lists kept by hand: every
/// operator must have both (a schema without a binding imports but cannot run; a binding
/// without a schema is dead code), and no key may be registered twice (the later entry would
/// silently replace the earlier one).
@Suite struct RegistryConsistencyTests {
    static func key(_ opType: String, _ domain: String) -> String { OperatorRegistry.key(opType, domain) }

    static func duplicates(_ keys: [String]) -> [String] {
        Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    }

    @Test func noOperatorIsRegisteredTwice() {
        #expect(Self.duplicates(OperatorRegistry.all.map { Self.key($0.opType, $0.domain) }) == [], "schemas")
        #expect(Self.duplicates(LoweringTable.all.map { Self.key($0.opType, $0.domain) }) == [], "kernel bindings")
    }

    @Test func everySchemaHasABindingAndBack() {
        let schemas = Set(OperatorRegistry.all.map { Self.key($0.opType, $0.domain) })
        let bindings = Set(LoweringTable.all.map { Self.key($0.opType, $0.domain) })
        #expect(schemas.subtracting(bindings).sorted() == [], "operators with a schema but no kernel binding")
        #expect(bindings.subtracting(schemas).sorted() == [], "kernel bindings with no schema")
        #expect(schemas.count > 150, "the registries look empty: \(schemas.count) operators")
    }

    /// The one lookup both program layouts and constant folding make covers each lowering's
    /// opset range, from its schema's `since`: every operator resolves at its first version, and
    /// an older version is refused naming node, op and opset (never run with today's semantics).
    @Test func theLookupCoversEachOpsetRangeFromItsSince() throws {
        for schema in OperatorRegistry.all {
            let node = Node(name: "n", opType: schema.opType, domain: schema.domain, inputs: [], outputs: ["y"])
            let found = try LoweringTable.lowering(for: node, opset: schema.sinceVersion)
            #expect(found.kernel.opType == schema.opType && found.kernel.domain == schema.domain)
            guard schema.sinceVersion > 1 else { continue }
            do {
                _ = try LoweringTable.lowering(for: node, opset: schema.sinceVersion - 1)
                Issue.record("\(schema.opType) resolved at opset \(schema.sinceVersion - 1), before its since \(schema.sinceVersion)")
            } catch let error as InferError {
                #expect(error.kind == .unsupportedOperator)
                #expect(error.opset == schema.sinceVersion - 1 && error.opType != nil)
                #expect(error.message.contains("opsets before \(schema.sinceVersion)"), "\(error.message)")
            }
        }
        let unknown = Node(name: "n", opType: "NoSuchOp", inputs: [], outputs: ["y"])
        #expect(throws: InferError.self) { try LoweringTable.lowering(for: unknown, opset: 17) }
    }
}
