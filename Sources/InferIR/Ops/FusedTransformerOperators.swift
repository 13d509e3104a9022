/// Shape inference for the project's own fused ops (domain `swiftinfer`) of the FusedTransformer family.
public enum FusedTransformerOperators {
    public static let schemas: [OperatorSchema] = []
}
