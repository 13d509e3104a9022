/// Shape inference for the Convolution family (see the runtime's Ops/ConvolutionKernels.swift).
public enum ConvolutionOperators {
    public static let schemas: [OperatorSchema] = []
}
