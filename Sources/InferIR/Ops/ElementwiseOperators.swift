/// Shape inference for the Elementwise family (see the runtime's Ops/ElementwiseKernels.swift).
public enum ElementwiseOperators {
    public static let schemas: [OperatorSchema] = []
}
