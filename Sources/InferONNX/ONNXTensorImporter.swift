import Foundation
import InferIR

/// `TensorProto` -> `Tensor`, from `raw_data` (little-endian), the typed repeated fields, or
/// external data. Sizes are validated before anything is allocated.
struct ONNXTensorImporter {
    /// Where external data may be read from; nil refuses it (a model decoded from memory).
    let externalData: ONNXExternalData?

    /// `label` names the tensor in errors (`initializer "w"`, `tensor`).
    func importTensor(_ proto: Onnx_TensorProto, label: String) throws -> Tensor {
        let code = Int(proto.dataType)
        guard let dtype = DType(onnxCode: code) else {
            throw InferError(.unsupportedDType, "\(label) has element type \(DType.onnxTypeName(code: code)), which is not supported")
        }
        guard !proto.hasSegment else {
            throw InferError(.unsupportedFeature, "\(label) is a segment of a larger tensor, which is not supported")
        }
        let shape = try validatedShape(proto.dims, dtype: dtype, label: label)
        let count = elementCount(shape)!  // validated above
        if proto.dataLocation == .external {
            guard let externalData else {
                throw InferError(.io, "\(label) has external data, which needs the model's folder (the model was decoded from memory)")
            }
            let bytes = try externalData.read(proto, byteCount: count * dtype.byteSize, label: label)
            return try tensor(dtype: dtype, shape: shape, rawBytes: bytes, label: label)
        }
        if proto.hasRawData {
            return try tensor(dtype: dtype, shape: shape, rawBytes: proto.rawData, label: label)
        }
        return try typedFieldTensor(proto, dtype: dtype, shape: shape, count: count, label: label)
    }

    /// Dims must be non-negative and the data within the tensor limit (`ResourceLimits`).
    private func validatedShape(_ dims: [Int64], dtype: DType, label: String) throws -> [Int] {
        let shape = dims.map { Int($0) }
        guard let count = elementCount(shape), !count.multipliedReportingOverflow(by: dtype.byteSize).overflow else {
            throw InferError(.invalidShape, "\(label) has dims \(shape), which are negative or overflow")
        }
        try ResourceLimits.current.checkTensor(bytes: count * dtype.byteSize, "its data \(dtype)\(shape)", at: CheckedDims(label: label))
        return shape
    }

    private func tensor(dtype: DType, shape: [Int], rawBytes: Data, label: String) throws -> Tensor {
        let expected = elementCount(shape)! * dtype.byteSize
        guard rawBytes.count == expected else {
            throw InferError(.invalidModel, "\(label) has \(rawBytes.count) bytes of data, but \(dtype)\(shape) needs \(expected)")
        }
        let t = Tensor(zeros: dtype, shape: shape)
        if expected > 0 {
            rawBytes.withUnsafeBytes { t.mutableRawPointer.copyMemory(from: $0.baseAddress!, byteCount: expected) }
        }
        if dtype == .bool {
            // Kernels assume bools are 0 or 1; any other byte means true.
            let p = t.mutableRawPointer.assumingMemoryBound(to: UInt8.self)
            for i in 0..<expected where p[i] > 1 { p[i] = 1 }
        }
        return t
    }

    /// The typed repeated fields: `float_data`, `double_data`, `int64_data`, and `int32_data`
    /// which also carries int8, uint8 and bool (one element per int32).
    private func typedFieldTensor(_ proto: Onnx_TensorProto, dtype: DType, shape: [Int], count: Int,
                                  label: String) throws -> Tensor {
        func check(_ n: Int, _ field: String) throws {
            guard n == count else {
                if n == 0 { throw InferError(.invalidModel, "\(label) has no data for its \(count) elements") }
                throw InferError(.invalidModel, "\(label) has \(n) values in \(field), but \(dtype)\(shape) needs \(count)")
            }
        }
        switch dtype {
        case .float32:
            try check(proto.floatData.count, "float_data")
            return try Tensor(shape: shape, scalars: proto.floatData)
        case .float64:
            try check(proto.doubleData.count, "double_data")
            return try Tensor(shape: shape, scalars: proto.doubleData)
        case .int64:
            try check(proto.int64Data.count, "int64_data")
            return try Tensor(shape: shape, scalars: proto.int64Data)
        case .int32:
            try check(proto.int32Data.count, "int32_data")
            return try Tensor(shape: shape, scalars: proto.int32Data)
        case .int8:
            try check(proto.int32Data.count, "int32_data")
            return try Tensor(shape: shape, scalars: proto.int32Data.map { Int8(truncatingIfNeeded: $0) })
        case .uint8:
            try check(proto.int32Data.count, "int32_data")
            return try Tensor(shape: shape, scalars: proto.int32Data.map { UInt8(truncatingIfNeeded: $0) })
        case .bool:
            try check(proto.int32Data.count, "int32_data")
            return try Tensor(shape: shape, scalars: proto.int32Data.map { $0 != 0 })
        }
    }
}
