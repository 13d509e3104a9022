import InferIR

/// A control-flow node (If, Loop, Scan) as one step of a static plan. Its subgraphs run on
/// nested dynamic executors (shapes inside a body may change from one iteration to the next),
/// and its results are copied into the outputs' arena slots, whose shapes shape inference fixed
/// for this binding. So one If no longer sends a whole model to the dynamic executor: every
/// other node keeps its planned arena and prepared kernel.
///
/// A result whose dtype or shape differs from the planned one (a subgraph whose declared output
/// types are wrong, say) is never truncated or padded into its slot: the step throws
/// `StaticPlan.DataDependentShape` and the engine reruns these inputs on the dynamic executor.
enum NestedProgramStep {
    static func prepare(_ step: StaticPlan.Step, _ context: KernelContext, outerValues: [(name: String, tensor: Tensor)],
                        opsetImports: [String: Int], threads: Int) throws -> PreparedKernel {
        let node = step.node, opset = step.opset
        guard let makeRunner = step.kernel.makeSubgraphRunner else {
            throw InferError.at(node, opset: opset, .invalidModel, "holds no subgraphs")
        }
        let runner: SubgraphRunner
        do {
            runner = try makeRunner(node, opset, opsetImports, threads)
        } catch let error as InferError {
            throw InferError.at(node, opset: opset, error.kind, error.message)
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
                    throw StaticPlan.DataDependentShape(description: "\(node.locationDescription(opset: opset)) output \"\(node.outputs[k])\" is \(result.dtype) \(result.shape), but shape inference planned \(slot.dtype) \(slot.shape)")
                }
                if slot.byteCount > 0 { slot.mutableRawPointer.copyMemory(from: result.rawPointer, byteCount: slot.byteCount) }
            }
        }
    }
}
