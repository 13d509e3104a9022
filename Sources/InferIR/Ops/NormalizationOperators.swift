/// Shape inference for the Normalization family (see the runtime's Ops/NormalizationKernels.swift).
public enum NormalizationOperators {
    public static let schemas: [OperatorSchema] = []
}
