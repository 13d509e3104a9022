import InferRuntime

/// A KServe v2 inference request, decoded and turned into tensors: the JSON form, or the
/// binary tensor data extension (a JSON header of `Inference-Header-Content-Length` bytes,
/// then each input with a `binary_data_size` parameter's raw bytes, in input order).
package struct InferenceRequest {
    package struct RequestedOutput {
        package var name: String
        package var binary: Bool

        package init(name: String, binary: Bool) {
            self.name = name
            self.binary = binary
        }
    }

    package var id: String?
    package var tensors: [String: Tensor] = [:]
    /// Nil: every output, in JSON unless `binary_data_output` is set.
    package var outputs: [RequestedOutput]?
    package var binaryOutputs = false
    /// `parameters.timeout` in microseconds (Triton's per-request timeout; 0, as in Triton, is none).
    package var timeoutMicroseconds: Int?

    /// Nested JSON arrays deeper than this are refused (the deepest real tensor is far less).
    static let maxNesting = 32

    package init() {}

    package static func decode(_ body: [UInt8], headerLength: Int?) throws(ServeError) -> InferenceRequest {
        let jsonEnd = headerLength ?? body.count
        guard jsonEnd >= 0, jsonEnd <= body.count else {
            throw ServeError(.badRequest, "Inference-Header-Content-Length is \(jsonEnd) but the body has \(body.count) bytes")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(body[0..<jsonEnd])
        } catch {
            throw ServeError(.badRequest, "request is not valid JSON: \(error)")
        }
        guard case .object(let members) = root else { throw ServeError(.badRequest, "request must be a JSON object") }
        var request = InferenceRequest()
        if let id = members["id"] {
            guard case .string(let id) = id else { throw ServeError(.badRequest, "'id' must be a string") }
            request.id = id
        }
        let parameters = try dictionary(members["parameters"], "parameters")
        request.binaryOutputs = try flag(parameters["binary_data_output"], "parameters.binary_data_output") ?? false
        if let timeout = parameters["timeout"] {
            guard let micros = timeout.exactInteger, micros >= 0, let value = Int(exactly: micros) else {
                throw ServeError(.badRequest, "parameters.timeout must be a non-negative integer (microseconds)")
            }
            request.timeoutMicroseconds = value == 0 ? nil : value
        }
        guard case .array(let inputs)? = members["inputs"], !inputs.isEmpty else {
            throw ServeError(.badRequest, "request needs a non-empty 'inputs' array")
        }
        var binaryOffset = jsonEnd
        for (index, entry) in inputs.enumerated() {
            guard case .object(let input) = entry else { throw ServeError(.badRequest, "inputs[\(index)] must be an object") }
            guard case .string(let name)? = input["name"] else { throw ServeError(.badRequest, "inputs[\(index)] needs a string 'name'") }
            guard request.tensors[name] == nil else { throw ServeError(.badRequest, "input '\(name)' appears twice") }
            request.tensors[name] = try tensor(input, name: name, body: body, binaryOffset: &binaryOffset, binaryAllowed: headerLength != nil)
        }
        guard binaryOffset == body.count else {
            throw ServeError(.badRequest, "the body has \(body.count - binaryOffset) bytes after the inputs' binary data")
        }
        if let outputs = members["outputs"] {
            guard case .array(let list) = outputs else { throw ServeError(.badRequest, "'outputs' must be an array") }
            request.outputs = try list.enumerated().map { (index, entry) throws(ServeError) in
                guard case .object(let output) = entry, case .string(let name)? = output["name"] else {
                    throw ServeError(.badRequest, "outputs[\(index)] needs a string 'name'")
                }
                let parameters = try dictionary(output["parameters"], "outputs[\(index)].parameters")
                let binary = try flag(parameters["binary_data"], "outputs[\(index)].parameters.binary_data") ?? request.binaryOutputs
                return RequestedOutput(name: name, binary: binary)
            }
        }
        return request
    }

    private static func dictionary(_ value: JSONValue?, _ what: String) throws(ServeError) -> [String: JSONValue] {
        guard let value else { return [:] }
        guard case .object(let dictionary) = value else { throw ServeError(.badRequest, "'\(what)' must be an object") }
        return dictionary
    }

    private static func flag(_ value: JSONValue?, _ what: String) throws(ServeError) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else { throw ServeError(.badRequest, "\(what) must be true or false") }
        return flag
    }

    private static func tensor(_ input: [String: JSONValue], name: String, body: [UInt8], binaryOffset: inout Int,
                               binaryAllowed: Bool) throws(ServeError) -> Tensor {
        guard case .string(let datatypeName)? = input["datatype"] else { throw ServeError(.badRequest, "input '\(name)' needs a string 'datatype'") }
        guard let dtype = TensorDatatype.dtype(named: datatypeName) else {
            throw ServeError(.badRequest, "input '\(name)': datatype '\(datatypeName)' is not supported (supported: \(DType.allCases.map(TensorDatatype.name(of:)).joined(separator: ", ")))")
        }
        guard case .array(let shapeValues)? = input["shape"] else { throw ServeError(.badRequest, "input '\(name)' needs a 'shape' array") }
        var shape: [Int] = []
        for value in shapeValues {
            guard let dim = value.exactInteger, dim >= 0, let size = Int(exactly: dim) else {
                throw ServeError(.badRequest, "input '\(name)': shape \(JSONValue.array(shapeValues)) must hold non-negative integers")
            }
            shape.append(size)
        }
        let count = try elementCount(of: shape, input: name)
        let parameters = try dictionary(input["parameters"], "input '\(name)' parameters")
        let bytes: [UInt8]
        if let size = parameters["binary_data_size"] {
            guard binaryAllowed else {
                throw ServeError(.badRequest, "input '\(name)' has binary_data_size but the request has no Inference-Header-Content-Length header")
            }
            guard let declared = size.exactInteger, declared >= 0, let byteCount = Int(exactly: declared) else {
                throw ServeError(.badRequest, "input '\(name)': binary_data_size must be a non-negative integer")
            }
            guard byteCount == count * dtype.byteSize else {
                throw ServeError(.badRequest, "input '\(name)': binary_data_size is \(byteCount) bytes but \(datatypeName) \(shape) needs \(count * dtype.byteSize)")
            }
            guard byteCount <= body.count - binaryOffset else {
                throw ServeError(.badRequest, "input '\(name)': binary_data_size \(byteCount) runs past the end of the body (\(body.count - binaryOffset) bytes left)")
            }
            bytes = Array(body[binaryOffset..<binaryOffset + byteCount])
            binaryOffset += byteCount
            if input["data"] != nil { throw ServeError(.badRequest, "input '\(name)' has both binary_data_size and 'data'") }
        } else {
            guard let data = input["data"] else { throw ServeError(.badRequest, "input '\(name)' has no 'data' (and no binary_data_size)") }
            var scalars: [JSONValue] = []
            // Each element takes at least two bytes of JSON ("1,"): never reserve more than the
            // body can hold (a 70-byte body declaring 2^31 elements must not ask for 64 GB).
            scalars.reserveCapacity(min(count, body.count / 2 + 1))
            try flatten(data, into: &scalars, depth: 0, name: name)
            guard scalars.count == count else {
                throw ServeError(.badRequest, "input '\(name)': 'data' has \(scalars.count) elements but shape \(shape) needs \(count)")
            }
            bytes = try JSONTensorData.encode(scalars, as: dtype, input: name)
        }
        do {
            return try Tensor(dtype: dtype, shape: shape, bytes: bytes)
        } catch {
            throw ServeError(.badRequest, "input '\(name)': \(error.message)")
        }
    }

    /// The elements a shape holds, refused past 2^31 - 1 (no real request is that large, and
    /// it keeps byte counts far from overflow).
    static func elementCount(of shape: [Int], input name: String) throws(ServeError) -> Int {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= Int(Int32.max) else { throw ServeError(.badRequest, "input '\(name)': shape \(shape) is too large") }
            count = product
        }
        return count
    }

    /// The protocol allows nested arrays (`[[1, 2], [3, 4]]`) as well as flat ones.
    private static func flatten(_ value: JSONValue, into scalars: inout [JSONValue], depth: Int, name: String) throws(ServeError) {
        if case .array(let array) = value {
            guard depth < maxNesting else { throw ServeError(.badRequest, "input '\(name)': 'data' is nested more than \(maxNesting) deep") }
            for element in array { try flatten(element, into: &scalars, depth: depth + 1, name: name) }
        } else if depth == 0 {
            throw ServeError(.badRequest, "input '\(name)': 'data' must be an array")
        } else {
            scalars.append(value)
        }
    }
}
