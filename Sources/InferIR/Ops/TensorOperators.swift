/// Shape inference for the Tensor family (see the runtime's Ops/TensorKernels.swift).
public enum TensorOperators {
    public static let schemas: [OperatorSchema] = []
}
