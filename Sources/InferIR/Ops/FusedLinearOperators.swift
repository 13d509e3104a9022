/// Shape inference for the project's own fused ops (domain `swiftinfer`) of the FusedLinear family.
public enum FusedLinearOperators {
    public static let schemas: [OperatorSchema] = []
}
