import Foundation
import InferRuntime

/// A gRPC `ModelInfer` request turned into the same `InferenceRequest` the HTTP decoder
/// makes: each input's elements come from `raw_input_contents` (one entry per input, in input
/// order) or from its typed `contents` list, never both. Outputs are always answered as raw
/// bytes, as Triton does over gRPC.
extension InferenceRequest {
    package init(_ message: Inference_ModelInferRequest) throws(ServeError) {
        self.init()
        if !message.id.isEmpty { id = message.id }
        if let timeout = message.parameters["timeout"] {
            guard case .int64Param(let micros)? = timeout.parameterChoice, micros >= 0 else {
                throw ServeError(.badRequest, "parameters.timeout must be a non-negative int64_param (microseconds)")
            }
            timeoutMicroseconds = micros == 0 ? nil : Int(micros)
        }
        guard !message.inputs.isEmpty else { throw ServeError(.badRequest, "request has no inputs") }
        let raw = message.rawInputContents
        guard raw.isEmpty || raw.count == message.inputs.count else {
            throw ServeError(.badRequest, "raw_input_contents has \(raw.count) entries for \(message.inputs.count) inputs (one per input, in order)")
        }
        for (index, input) in message.inputs.enumerated() {
            guard tensors[input.name] == nil else { throw ServeError(.badRequest, "input '\(input.name)' appears twice") }
            // An empty contents message counts as none (clients may send one with raw contents).
            if !raw.isEmpty, !Self.isEmpty(input.contents) {
                throw ServeError(.badRequest, "input '\(input.name)' has contents, but the request uses raw_input_contents")
            }
            tensors[input.name] = try Self.tensor(input, raw: raw.isEmpty ? nil : raw[index])
        }
        outputs = message.outputs.map { RequestedOutput(name: $0.name, binary: true) }
        if outputs?.isEmpty == true { outputs = nil }
        binaryOutputs = true
    }

    private static func tensor(_ input: Inference_ModelInferRequest.InferInputTensor, raw: Data?) throws(ServeError) -> Tensor {
        let name = input.name
        guard let dtype = TensorDatatype.dtype(named: input.datatype) else {
            throw ServeError(.badRequest, "input '\(name)': datatype '\(input.datatype)' is not supported (supported: \(DType.allCases.map(TensorDatatype.name(of:)).joined(separator: ", ")))")
        }
        var shape: [Int] = []
        for dim in input.shape {
            guard dim >= 0, let value = Int(exactly: dim) else {
                throw ServeError(.badRequest, "input '\(name)': shape \(input.shape) must hold non-negative integers")
            }
            shape.append(value)
        }
        let count = try elementCount(of: shape, input: name)
        let bytes: [UInt8]
        if let raw {
            guard raw.count == count * dtype.byteSize else {
                throw ServeError(.badRequest, "input '\(name)': raw_input_contents has \(raw.count) bytes but \(input.datatype) \(shape) needs \(count * dtype.byteSize)")
            }
            bytes = Array(raw)
        } else {
            bytes = try contentBytes(input.contents, dtype: dtype, count: count, name: name, datatype: input.datatype, shape: shape)
        }
        do {
            return try Tensor(dtype: dtype, shape: shape, bytes: bytes)
        } catch {
            throw ServeError(.badRequest, "input '\(name)': \(error.message)")
        }
    }

    private static func isEmpty(_ contents: Inference_InferTensorContents) -> Bool {
        contents.boolContents.isEmpty && contents.intContents.isEmpty && contents.int64Contents.isEmpty
            && contents.uintContents.isEmpty && contents.uint64Contents.isEmpty && contents.fp32Contents.isEmpty
            && contents.fp64Contents.isEmpty && contents.bytesContents.isEmpty
    }

    /// The bytes of a typed contents list: the list the datatype names must hold exactly the
    /// shape's element count, every other list must be empty, and INT8/UINT8 values (sent as
    /// int32/uint32) must fit.
    private static func contentBytes(_ contents: Inference_InferTensorContents, dtype: DType, count: Int, name: String,
                                     datatype: String, shape: [Int]) throws(ServeError) -> [UInt8] {
        let lengths: [(field: String, count: Int)] = [
            ("bool_contents", contents.boolContents.count), ("int_contents", contents.intContents.count),
            ("int64_contents", contents.int64Contents.count), ("uint_contents", contents.uintContents.count),
            ("uint64_contents", contents.uint64Contents.count), ("fp32_contents", contents.fp32Contents.count),
            ("fp64_contents", contents.fp64Contents.count), ("bytes_contents", contents.bytesContents.count),
        ]
        let field: String = switch dtype {
        case .bool: "bool_contents"
        case .int8, .int32: "int_contents"
        case .int64: "int64_contents"
        case .uint8: "uint_contents"
        case .float32: "fp32_contents"
        case .float64: "fp64_contents"
        }
        for entry in lengths where entry.field != field && entry.count > 0 {
            throw ServeError(.badRequest, "input '\(name)': \(datatype) elements go in \(field), not \(entry.field)")
        }
        let given = lengths.first { $0.field == field }!.count
        guard given == count else {
            throw ServeError(.badRequest, "input '\(name)': \(field) has \(given) elements but shape \(shape) needs \(count)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * dtype.byteSize)
        func append<T>(_ values: [T]) { values.withUnsafeBytes { bytes.append(contentsOf: $0) } }
        func narrow<Wide: BinaryInteger, Narrow: FixedWidthInteger>(_ values: [Wide], to _: Narrow.Type) throws(ServeError) -> [Narrow] {
            var narrowed: [Narrow] = []
            narrowed.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                guard let fitted = Narrow(exactly: value) else {
                    throw ServeError(.badRequest, "input '\(name)': \(field)[\(index)] = \(value) is not a \(datatype) value")
                }
                narrowed.append(fitted)
            }
            return narrowed
        }
        switch dtype {
        case .bool: append(contents.boolContents.map { $0 ? UInt8(1) : 0 })
        case .int8: append(try narrow(contents.intContents, to: Int8.self))
        case .int32: append(contents.intContents)
        case .int64: append(contents.int64Contents)
        case .uint8: append(try narrow(contents.uintContents, to: UInt8.self))
        case .float32: append(contents.fp32Contents)
        case .float64: append(contents.fp64Contents)
        }
        return bytes
    }
}
