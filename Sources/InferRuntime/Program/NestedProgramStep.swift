import InferIR

/// A control-flow node (If, Loop, Scan) whose outputs have planned arena slots, as a prepared
/// step. Its runner (built once with the `Program`) executes nested `.dynamic` programs over the
/// subgraphs (shapes inside a body may change from one iteration to the next), and the results
/// are copied into the outputs' slots, whose shapes shape inference fixed for this binding. So one
/// If does not take planning away from the rest of the model.
///
/// A result whose dtype or shape differs from its slot (a subgraph whose declared output types are
/// wrong, say) is never truncated or padded into it: the step throws
/// `Program.PlannedShapeMismatch` and the engine reruns these inputs on its `.dynamic` program.
enum NestedProgramStep {
    static func prepare(_ step: Program.Step, _ context: KernelContext,
                        outerValues: [(name: String, tensor: Tensor)]) throws -> PreparedKernel {
        let node = step.node, opset = step.opset
        guard let runner = step.runner else {
            throw InferError.at(node, opset: opset, .invalidModel, "holds no subgraphs")
        }
        let inputs = context.inputs, outputs = context.outputs
        return {
            var scope = [String: Tensor](minimumCapacity: outerValues.count)
            for (name, tensor) in outerValues { scope[name] = tensor }
            let results = try runner(inputs, scope)
            for k in 0..<outputs.count where !node.outputs[k].isEmpty {
                guard k < results.count else {
                    throw InferError.at(node, opset: opset, .invalidModel, "produced \(results.count) outputs, the node has \(node.outputs.count)")
                }
                let result = results[k], slot = outputs[k]
                guard result.dtype == slot.dtype, result.shape == slot.shape else {
                    throw Program.PlannedShapeMismatch(description: "\(node.locationDescription(opset: opset)) output \"\(node.outputs[k])\" is \(result.dtype) \(result.shape), but shape inference planned \(slot.dtype) \(slot.shape)")
                }
                if slot.byteCount > 0 { slot.mutableRawPointer.copyMemory(from: result.rawPointer, byteCount: slot.byteCount) }
            }
        }
    }
}
