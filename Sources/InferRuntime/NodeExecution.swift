import InferIR
import InferOptimizer

/// Executes one node on concrete inputs: infer the output types from the actual inputs,
/// allocate the outputs (refusing absurd sizes), run the kernel.
package enum NodeExecution {
    package static func run(_ node: Node, opset: Int, schema: OperatorSchema, kernel: KernelBinding,
                            inputs: [Tensor?], threads: Int) throws -> [Tensor] {
        let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
        let types = try schema.inferTypes(context)
        guard types.count >= node.outputs.filter({ !$0.isEmpty }).count else {
            throw InferError.at(node, opset: opset, .invalidModel, "shape inference gave \(types.count) outputs for \(node.outputs.count)")
        }
        var outputs: [Tensor] = []
        outputs.reserveCapacity(types.count)
        for type in types {
            guard let dims = type.staticDims else {
                throw InferError.at(node, opset: opset, .invalidShape, "output shape \(type) is not concrete at run time")
            }
            do {
                outputs.append(try Tensor.zeros(type.dtype, shape: dims))
            } catch {
                throw InferError.at(node, opset: opset, error.kind, "output: \(error.message)")
            }
        }
        if OutputPoisoning.enabled && !kernel.needsZeroedOutputs { OutputPoisoning.poison(outputs) }
        try kernel.run(KernelContext(node: node, opset: opset, inputs: inputs, outputs: outputs, threads: threads))
        return outputs
    }

    /// The constant evaluator the optimizer's `fold-constants` uses: any supported node, run once.
    package static let constantEvaluator: ConstantEvaluator = { node, opset, inputs in
        let (schema, kernel) = try LoweringTable.lowering(for: node, opset: opset)
        return try run(node, opset: opset, schema: schema, kernel: kernel, inputs: inputs, threads: 1)
    }
}
