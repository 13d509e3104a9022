import Foundation
import InferIR
import InferRuntime

/// Zero-filled inputs for an engine with its symbolic dims bound (`--dim NAME=SIZE`, others 1):
/// what `compile --report` plans memory for and `inspect --timing` runs.
enum BoundInputs {
    static func zeros(for engine: Engine, dims: [String: Int]) throws -> (inputs: [String: Tensor], bindings: [String: Int]) {
        let symbols = engine.model.inputSymbols
        let bindings = Dictionary(uniqueKeysWithValues: symbols.map { ($0, dims[$0] ?? 1) })
        let bound = engine.model.bindingSymbols(dims, default: 1)
        let required = Set(engine.inputs.map(\.name))
        var inputs: [String: Tensor] = [:]
        for info in bound.graph.inputs where required.contains(info.name) {
            guard let shape = info.type.staticDims else {
                throw CLIError("input \"\(info.name)\" has no static shape (\(info.type)) even with dims bound")
            }
            inputs[info.name] = try Tensor.zeros(info.type.dtype, shape: shape)
        }
        return (inputs, bindings)
    }
}
