/// OptionalHasElement and OptionalGetElement from opset 18, where they also take plain tensors.
/// The engine has no optional-typed values, so an input is either a tensor (which has an
/// element: HasElement is true, GetElement returns it) or omitted (HasElement is false).
/// Opset 15-17 accepted only optional-typed inputs, which cannot occur here.
package enum OptionalOperators {
    package static let schemas: [OperatorSchema] = [
        OperatorSchema("OptionalHasElement", since: 18) { ctx in
            guard ctx.node.inputs.count <= 1 else { throw ctx.error(.invalidModel, "takes at most one input") }
            if ctx.hasInput(0) { _ = try ctx.type(0) }
            return [ValueType(dtype: .bool, dims: [])]
        },
        OperatorSchema("OptionalGetElement", since: 18) { ctx in
            guard ctx.hasInput(0) else { throw ctx.error(.invalidModel, "the input is required (an empty optional has no element)") }
            return [try ctx.type(0)]
        },
    ]
}
