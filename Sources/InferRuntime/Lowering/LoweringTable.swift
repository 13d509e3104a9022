import InferIR

/// The one table from operator to lowering: every kernel binding, collected from the per-family
/// files beside this one (`<Family>Lowering.swift`, each listing its bindings). Keyed by domain
/// and op type; the opset is handed to the binding, which covers every version from the schema's
/// `since` (the schema in `InferIR/Ops/<Family>Operators.swift` refuses older ones).
/// `RegistryConsistencyTests` checks that this table and `OperatorRegistry` hold the same keys,
/// each once.
package enum LoweringTable {
    package static let all: [KernelBinding] =
        ElementwiseLowering.bindings
        + LinearAlgebraLowering.bindings
        + ConvolutionLowering.bindings
        + NormalizationLowering.bindings
        + TensorLowering.bindings
        + ReductionLowering.bindings
        + FusedLinearLowering.bindings
        + ReducedPrecisionLowering.bindings
        + FusedTransformerLowering.bindings
        + MathLowering.bindings
        + LossLowering.bindings
        + ResizeLowering.bindings
        + AxisNormalizationLowering.bindings
        + AttentionLowering.bindings
        + SelectionLowering.bindings
        + TensorAlgebraLowering.bindings
        + SignalLowering.bindings
        + QuantizationLowering.bindings
        + LinearRecurrenceLowering.bindings
        + OptionalLowering.bindings
        + ControlFlowLowering.bindings
        + VisionLowering.bindings
        + SpectralLowering.bindings
        + RecurrentLowering.bindings + RearrangementLowering.bindings

    private static let byKey: [String: KernelBinding] =
        Dictionary(all.map { (OperatorRegistry.key($0.opType, $0.domain), $0) }, uniquingKeysWith: { _, last in last })

    package static func binding(for node: Node) -> KernelBinding? {
        byKey[OperatorRegistry.key(node.opType, node.domain)]
    }

    /// The schema and lowering of `node` at `opset` (the version the model imports for its
    /// domain): the one lookup both program layouts and constant folding make. The opset range
    /// a lowering covers is its schema's, from `since` on; older versions are refused here, with
    /// the node named, rather than run with today's semantics.
    package static func lowering(for node: Node, opset: Int) throws -> (schema: OperatorSchema, kernel: KernelBinding) {
        guard let schema = OperatorRegistry.schema(for: node), let kernel = binding(for: node) else {
            throw InferError.at(node, opset: opset, .unsupportedOperator, "operator is not supported")
        }
        guard opset >= schema.sinceVersion else {
            throw InferError.at(node, opset: opset, .unsupportedOperator, "opsets before \(schema.sinceVersion) are not supported for this operator")
        }
        return (schema, kernel)
    }
}
