/// Shape inference for the LinearAlgebra family (see the runtime's Ops/LinearAlgebraKernels.swift).
public enum LinearAlgebraOperators {
    public static let schemas: [OperatorSchema] = []
}
