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
}
