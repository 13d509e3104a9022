// The public API of the engine is `InferRuntime`: `Engine` and its `Options`, `BLASRuntime`'s
// setup calls, and these value types from `InferIR`, re-exported so that `import InferRuntime`
// is all an embedding service needs. Everything else in the package (the IR, the optimizer, the
// kernels, plans, sessions) is `package`: shared by this package's modules, invisible to clients.
@_exported import enum InferIR.DType
@_exported import enum InferIR.Precision
@_exported import enum InferIR.Dim
@_exported import struct InferIR.InferError
@_exported import struct InferIR.ResourceLimits
@_exported import struct InferIR.Tensor
@_exported import protocol InferIR.TensorScalar
@_exported import struct InferIR.ValueInfo
@_exported import struct InferIR.ValueType
