/// Shape inference for the Reduction family (see the runtime's Ops/ReductionKernels.swift).
public enum ReductionOperators {
    public static let schemas: [OperatorSchema] = []
}
