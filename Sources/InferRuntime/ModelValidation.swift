import InferIR

/// What every model passes before the engine (or `inspect`) does anything else with it, at every
/// optimization level: the resource limits on its size, then the verifier and shape inference
/// over its declared (possibly symbolic) types. A hostile model therefore fails here, with the
/// same one-line error at -O0, -O1 and -O2, instead of somewhere inside the optimizer or a kernel.
package enum ModelValidation {
    package static func validate(_ model: Model) throws {
        try ResourceLimits.current.checkGraphSize(model.graph, "the model")
        var typed = model
        try ShapeInference.run(&typed, evaluate: NodeExecution.constantEvaluator)
    }
}
