/// Shape inference for the Tensor family (data movement and shape ops); the per-group files
/// are in `Ops/Tensor/`, the runtime side in the runtime's `Ops/Tensor/`.
package enum TensorOperators {
    package static let schemas: [OperatorSchema] =
        ReshapeOperators.schemas
        + LayoutOperators.schemas
        + SliceOperator.schemas
        + PadOperator.schemas
        + IndexingOperators.schemas
        + GeneratorOperators.schemas
}
